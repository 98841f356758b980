"""The certified examples gallery: earned submissions published with the earner's consent."""
