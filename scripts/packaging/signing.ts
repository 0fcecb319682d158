/**
 * Code signing, from the environment of the machine that builds the installer. Nothing secret is
 * kept in the repository. Without a certificate the build goes on unsigned and says so.
 *
 *   REGISTER_WIN_CERT_FILE      path to the .pfx/.p12 code-signing certificate (Windows builds)
 *   REGISTER_WIN_CERT_PASSWORD  its password
 *
 * electron-builder then signs the app's .exe files and the NSIS installer with signtool (set
 * SIGNTOOL_PATH to use the Windows SDK's signtool rather than electron-builder's own copy).
 * Linux packages (AppImage, deb) are not code-signed; a store's apt repository signs its index.
 */
export interface WindowsSigning {
  /** Merged into `win.signtoolOptions`; null when the build goes on unsigned. */
  signtoolOptions: { certificateFile: string; certificatePassword?: string } | null;
  message: string;
}

export function windowsSigning(env: NodeJS.ProcessEnv = process.env): WindowsSigning {
  const certificateFile = env.REGISTER_WIN_CERT_FILE?.trim();
  if (!certificateFile) {
    return {
      signtoolOptions: null,
      message:
        'Code signing: REGISTER_WIN_CERT_FILE is not set, so the Windows app and installer are NOT signed ' +
        '(Windows will warn "Unknown publisher"). To sign, set REGISTER_WIN_CERT_FILE to the .pfx file and REGISTER_WIN_CERT_PASSWORD to its password.',
    };
  }
  if (!/\.(pfx|p12)$/i.test(certificateFile)) {
    throw new Error(`REGISTER_WIN_CERT_FILE must be a .pfx or .p12 certificate file, not ${certificateFile}.`);
  }
  const password = env.REGISTER_WIN_CERT_PASSWORD;
  return {
    signtoolOptions: password ? { certificateFile, certificatePassword: password } : { certificateFile },
    message: `Code signing: the Windows app and installer are signed with ${certificateFile}.`,
  };
}
