"""年度填报: a bureau entering its yearly values — the pure entry rules (rules), saving them
through the shared reporting mechanism (services), what the form shows (selectors), and the
form as an .xlsx file (xlsx)."""
