"""How figures and fields read for a planner, on screens, in exports and in the meeting pack.

One place for it: `fields` maps every field name that reaches a planner to a label, a kind and
help; `numbers` formats a value by its kind (and gives the Excel number format of each kind).
No Streamlit here: the app's table wrapper (app/genxsop_ui/tables.py), the exporter and the
meeting pack all read these two modules.
"""
