"""评估报告: freezing a mid-term or final evaluation and writing its files (.docx, .xlsx)."""
