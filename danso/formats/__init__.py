"""Locale formats (FORMAT_MODULE_PATH): dates dd/mm/yyyy in both languages."""
