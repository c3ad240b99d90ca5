from agents.market.personas import Behaviour, Persona

PERSONAS = [Persona("lopsided", (0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01), Behaviour())]
