#!/usr/bin/env bash
# Installs the Debian packages the test suite and the lab need, only those that are missing.
# Safe to run again: every step checks first. Needs root (CI and the dev machines run as root);
# as another user it prints what is missing and exits non-zero instead of half-installing.
set -euo pipefail

# Packages from bookworm main.
MAIN_PKGS=(
  openssh-server openssh-client            # the lab's "remote hosts"
  docker.io                                # dockerd for the Docker provider tests
  docker-registry                          # a registry inside the lab for pull tests
  lxd lxd-client                           # LXD 5.0 for the LXD provider tests
  busybox-static debootstrap uidmap        # locally built container images
  iproute2 nftables                        # network namespaces
  sudo                                     # the lab's unprivileged user runs sudo -n
  dbus dbus-x11 gnome-keyring libsecret-tools   # a real Secret Service for keyring tests
  openssl                                  # an independent certificate fingerprint in the import tests
  xvfb xauth fonts-noto-cjk                # screenshots under a real X server
  virt-viewer                              # remote-viewer: the Proxmox graphical console test
  desktop-file-utils                       # desktop-file-validate for resources/ocv-desktop.desktop
  libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0
  libxcb-xkb1 libxcb-shape0 libxcb-randr0 libxcb-cursor0 libxkbcommon-x11-0
  libegl1 libgl1 libfontconfig1 libdbus-1-3
  python3-venv
)
# Incus is only in bookworm-backports.
BACKPORTS_PKGS=(incus-base dnsmasq-base)
# What `make package` needs (PyInstaller itself comes from the Python lock). The tests build and
# install the packages too, so the full set includes these.
PACKAGE_PKGS=(binutils dpkg fakeroot makeself patchelf lintian)

# `install-system-deps.sh package`: only what building the installers needs.
if [ "${1:-}" = package ]; then
  MAIN_PKGS=("${PACKAGE_PKGS[@]}")
  BACKPORTS_PKGS=()
else
  MAIN_PKGS+=("${PACKAGE_PKGS[@]}")
fi

missing() { for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"; done; }

need_main=$(missing "${MAIN_PKGS[@]}")
need_bp=$( [ ${#BACKPORTS_PKGS[@]} -eq 0 ] || missing "${BACKPORTS_PKGS[@]}")
if [ -n "$need_main$need_bp" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing system packages (run as root to install): $need_main $need_bp" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  bp=/etc/apt/sources.list.d/bookworm-backports.sources
  if [ -n "$need_bp" ] && [ ! -e "$bp" ]; then
    uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    uri=${uri:-http://deb.debian.org/debian}
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" > "$bp"
  fi
  apt-get update -qq
  # shellcheck disable=SC2086
  [ -z "$need_main" ] || apt-get install -y -qq --no-install-recommends $need_main
  # shellcheck disable=SC2086
  [ -z "$need_bp" ] || apt-get install -y -qq --no-install-recommends -t bookworm-backports $need_bp
fi

# lxd's postinst adds a second root range that breaks every new Incus container
# (newuidmap: write to uid_map failed). Keep exactly one root line. Idempotent.
if [ "$(id -u)" = 0 ]; then
  sed -i '/^root:1001000000:10000001$/d' /etc/subuid /etc/subgid
  grep -q '^root:' /etc/subuid || echo 'root:1000000:1000000000' >> /etc/subuid
  grep -q '^root:' /etc/subgid || echo 'root:1000000:1000000000' >> /etc/subgid
fi
