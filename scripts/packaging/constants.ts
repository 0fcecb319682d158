/** Electron is an optional dependency (its download is unreachable on some machines), so the version packed is stated here. */
export const ELECTRON_VERSION = '45.4.1';
/** The udev rule's file name: numbered below 73 so TAG+="uaccess" takes effect. */
export const UDEV_RULES = '70-dispensary-register.rules';
export const EXECUTABLE_NAME = 'dispensary-register';
export const PRODUCT_NAME = 'Dispensary Register';
