// Providers: one folder per kind (Systemd/, ConfigFile/, …).
