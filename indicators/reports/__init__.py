"""评估报告: freezing a mid-term or final evaluation and writing its files.

services.py freezes (snapshot + drafted paragraphs) and holds the writers; formats.py is the one
table of formats (writer, content type, file); drafting.py drafts the paragraphs a reviewer edits;
docx_gbt9704.py lays the Word report out after GB/T 9704 through a docxtpl template (the default
one is built reproducibly at run time, a county may upload its own); xlsx_tables.py writes the
workbooks; tasks.py generates the files in the background.
"""
