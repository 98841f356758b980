"""Every change authoring makes: drafts (start, save, import, discard, publish) and marker sign-offs."""
