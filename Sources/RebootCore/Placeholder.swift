enum _PlaceholderRebootCore {}
