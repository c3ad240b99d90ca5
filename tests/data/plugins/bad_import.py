import json

SERVICES = [json.does_not_exist]
