"""ocv-desktop: one desktop console for Docker, LXD, Incus and Proxmox VE nodes."""

__version__ = "0.1.0"
APP_NAME = "ocv-desktop"
