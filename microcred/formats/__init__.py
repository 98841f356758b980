"""Date formats per language (settings.FORMAT_MODULE_PATH): templates name a format (`|date:"DATE_FORMAT"`), never
a pattern, so each language writes dates its own way."""
