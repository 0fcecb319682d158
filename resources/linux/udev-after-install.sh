
# --- Dispensary Register: the udev rule for scanners and card readers ---
# (Appended to electron-builder's own after-install steps above; see scripts/packaging/linux-scripts.ts.)
# Macros are written as $NAME, never with braces: electron-builder fills only its own macros.
REGISTER_RULES_SRC='/opt/${sanitizedProductName}/resources/udev/70-dispensary-register.rules'
REGISTER_RULES_DST='/etc/udev/rules.d/70-dispensary-register.rules'
# An earlier version installed the rule as 99-…, too late for uaccess.
rm -f /etc/udev/rules.d/99-dispensary-register.rules
if [ -f "$REGISTER_RULES_SRC" ]; then
  install -m 0644 "$REGISTER_RULES_SRC" "$REGISTER_RULES_DST"
  if hash udevadm 2>/dev/null; then
    udevadm control --reload-rules || true
    udevadm trigger --subsystem-match=hidraw --subsystem-match=tty || true
  fi
fi
