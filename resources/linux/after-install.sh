#!/bin/sh
# Install the register's udev rules so scanners work without root, then reload udev.
set -e
RULES_SRC="/opt/Dispensary Register/resources/udev/99-dispensary-register.rules"
if [ -f "$RULES_SRC" ]; then
  cp "$RULES_SRC" /etc/udev/rules.d/99-dispensary-register.rules
  udevadm control --reload-rules || true
  udevadm trigger || true
fi
