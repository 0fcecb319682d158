
# --- Dispensary Register: remove the udev rule ---
# (Appended to electron-builder's own after-remove steps above. On an upgrade the new version's
# after-install puts the rule back.)
rm -f /etc/udev/rules.d/70-dispensary-register.rules /etc/udev/rules.d/99-dispensary-register.rules
if hash udevadm 2>/dev/null; then
  udevadm control --reload-rules || true
fi
