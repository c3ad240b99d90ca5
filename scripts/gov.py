"""`ape run gov <command> ...`: the same commands as `emergent gov` (see agents/gov_cli.py).

ape run gov propose param escrow.feeBps 200 --account-index 6
ape run gov vote <id> for --account-index 7
ape run gov status <id>
"""

from agents.gov_cli import gov as cli  # noqa: F401  (ape run looks for `cli`)
