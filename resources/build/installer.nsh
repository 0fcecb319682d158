; Dispensary Register: the NSIS installer's own steps (electron-builder includes this file).
;
; The register is installed for the whole machine, and so is its data: one database per register
; PC, whichever Windows account staff sign in with. It lives in
;   %ProgramData%\Dispensary Register   (the app reads the same folder: main/core/paths.ts)
; and every account in the local Users group may read and write it (Modify, inherited by the
; database, its backups, the logs and the key file made later). Administrators and SYSTEM keep
; the full control ProgramData gives them.
;
; Upgrade: the installer runs the old version's uninstaller, which leaves this folder alone; the
; new version migrates the database when it first starts.
; Uninstall: the folder is kept (a register's sales history must not vanish with the program);
; the uninstaller says where it is. Delete it by hand once the data has been exported.

; With SetShellVarContext all, $APPDATA is the machine's ProgramData folder.
!macro customInstall
  SetShellVarContext all
  CreateDirectory "$APPDATA\Dispensary Register"
  ; *S-1-5-32-545 is BUILTIN\Users, named by SID so it works in every Windows language.
  nsExec::ExecToLog '"$SYSDIR\icacls.exe" "$APPDATA\Dispensary Register" /grant *S-1-5-32-545:(OI)(CI)M /T /C /Q'
  Pop $0
  ${If} $0 != 0
    DetailPrint "Could not give the register's users access to $APPDATA\Dispensary Register (icacls exit code $0)."
  ${EndIf}
!macroend

!macro customUnInstall
  ${IfNot} ${isUpdated}
    SetShellVarContext all
    DetailPrint "The store's data is kept in $APPDATA\Dispensary Register. Delete that folder by hand once it is no longer needed."
  ${EndIf}
!macroend
