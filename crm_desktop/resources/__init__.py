"""Files shipped with the app (package data), e.g. the platform schema."""
