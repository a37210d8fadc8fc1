"""Recall exports: the PDF report, the scope CSV and the FSMA 204 sortable spreadsheet."""
