/**
 * Device problems in staff words: what is wrong and what to do. The raw system message
 * (`spawn udevadm ENOENT`, a missing libusb) goes to the log, never to the screen.
 */

export interface ExplainedProblem {
  /** For the screen: plain words, ending with what to do. */
  text: string;
  /** For the log: the system's own message. */
  detail: string;
}

/** What was being done when it failed, as the start of a sentence ("Serial ports could not be listed"). */
export type DeviceActivity = 'list-serial' | 'list-hid' | 'find' | 'open';

const opening: Record<DeviceActivity, string> = {
  'list-serial': 'Serial ports could not be listed',
  'list-hid': 'USB devices could not be listed',
  find: 'The register could not look for this device',
  open: 'The device was found but could not be opened',
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

function cause(detail: string, code: string | undefined): string {
  if (/udevadm/i.test(detail) && (code === 'ENOENT' || /ENOENT/.test(detail))) {
    return 'this computer is missing the udev tool that lists serial ports. Ask whoever looks after the computer to install udev (Debian or Ubuntu: sudo apt-get install udev), then press Look for devices again. A scanner that works as a keyboard does not need it';
  }
  if (code === 'EACCES' || code === 'EPERM' || /permission denied|access denied|EACCES/i.test(detail)) {
    return 'this computer does not let the register use the device. Ask whoever looks after the computer to install the udev rules that come with the register (on Windows: close any other program using the scanner), then unplug the device and plug it back in';
  }
  if (code === 'EBUSY' || /resource busy|in use|EBUSY/i.test(detail)) {
    return 'another program is using it. Close that program (or the other register window), then unplug the device and plug it back in';
  }
  if (/libusb|libudev|cannot open shared object|dlopen|node-hid|HID\.node/i.test(detail)) {
    return 'this computer is missing the USB library the register uses for USB scanners and card readers. Ask whoever looks after the computer to install libusb and libudev (Debian or Ubuntu: sudo apt-get install libusb-1.0-0 libudev1), then restart the register. A scanner that works as a keyboard does not need it';
  }
  if (code === 'ENOENT' || /no such file|not found/i.test(detail)) {
    return 'it is no longer there. Check the cable, unplug the device and plug it back in';
  }
  return 'unplug the device, plug it back in and try again; if it keeps happening, restart the register';
}

export function explainDeviceProblem(activity: DeviceActivity, error: unknown): ExplainedProblem {
  const detail = messageOf(error);
  return { text: `${opening[activity]}: ${cause(detail, errorCode(error))}.`, detail };
}
