"""Services write: every change of an IMS record — the recipient's copy of supplier documents (copies),
actions (actions, bulk, excel), and what filing GSTR-3B and the clock do to records (periods, sweeps)."""
