/**
 * Windows USB printers: the spooler's RAW datatype through PowerShell, which compiles a few lines of
 * C# calling winspool.drv (OpenPrinter → StartDocPrinter "RAW" → WritePrinter). Chosen because it
 * needs no native Node module (nothing to rebuild for each Electron version) and bypasses the
 * driver's rendering. The spooler cannot read the printer back, so there is no paper or cover
 * status on this link, and a queue whose printer is unplugged still accepts the job: the pre-check
 * reads the queue's own offline flag. Not exercised by the Linux test suite (no Windows there).
 */
import { spawn } from 'node:child_process';
import { statusOf } from '../status.js';
import type { PrinterLink } from './types.js';

const SCRIPT = `
$ErrorActionPreference = 'Stop'
Add-Type -TypeDefinition @"
using System; using System.Runtime.InteropServices;
public static class RawPrint {
  [StructLayout(LayoutKind.Sequential, CharSet=CharSet.Unicode)] public class DOCINFO { public string pDocName; public string pOutputFile; public string pDataType; }
  [DllImport("winspool.drv", CharSet=CharSet.Unicode, SetLastError=true)] public static extern bool OpenPrinter(string n, out IntPtr h, IntPtr d);
  [DllImport("winspool.drv", SetLastError=true)] public static extern bool ClosePrinter(IntPtr h);
  [DllImport("winspool.drv", CharSet=CharSet.Unicode, SetLastError=true)] public static extern int StartDocPrinter(IntPtr h, int l, DOCINFO d);
  [DllImport("winspool.drv", SetLastError=true)] public static extern bool EndDocPrinter(IntPtr h);
  [DllImport("winspool.drv", SetLastError=true)] public static extern bool StartPagePrinter(IntPtr h);
  [DllImport("winspool.drv", SetLastError=true)] public static extern bool EndPagePrinter(IntPtr h);
  [DllImport("winspool.drv", SetLastError=true)] public static extern bool WritePrinter(IntPtr h, byte[] b, int n, out int w);
  public static void Send(string q, byte[] b) {
    IntPtr h; if (!OpenPrinter(q, out h, IntPtr.Zero)) throw new Exception("open");
    try { var d = new DOCINFO(); d.pDocName = "Receipt"; d.pDataType = "RAW";
      if (StartDocPrinter(h, 1, d) == 0) throw new Exception("doc"); StartPagePrinter(h);
      int w; if (!WritePrinter(h, b, b.Length, out w) || w != b.Length) throw new Exception("write");
      EndPagePrinter(h); EndDocPrinter(h); } finally { ClosePrinter(h); } }
}
"@
$queue = $env:REGISTER_PRINTER_QUEUE
$p = Get-Printer -Name $queue
if ($p.PrinterStatus -ne 'Normal' -and $p.PrinterStatus -ne 0) { exit 3 }
if ($p.WorkOffline) { exit 3 }
if ($env:REGISTER_PRINTER_CHECK_ONLY -eq '1') { exit 0 }
$bytes = [Convert]::FromBase64String([Console]::In.ReadToEnd())
[RawPrint]::Send($queue, $bytes)
`;

function runPowerShell(queue: string, bytes: Uint8Array | null): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', SCRIPT], {
      env: { ...process.env, REGISTER_PRINTER_QUEUE: queue, REGISTER_PRINTER_CHECK_ONLY: bytes ? '0' : '1' },
      stdio: ['pipe', 'ignore', 'ignore'],
      windowsHide: true,
    });
    const guard = setTimeout(() => child.kill(), 30_000);
    child.on('error', () => resolve(-1));
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve(code ?? -1);
    });
    child.stdin.end(bytes ? Buffer.from(bytes).toString('base64') : '');
  });
}

export function windowsSpoolerPrinter(queue: string): PrinterLink {
  const where = `Windows printer "${queue}"`;
  return {
    where,
    async print(bytes) {
      const code = await runPowerShell(queue, bytes);
      if (code === 0) return { printed: true, status: statusOf('unknown', where) };
      return { printed: false, status: statusOf(code === 3 ? 'offline' : 'unreachable', where) };
    },
    async status() {
      const code = await runPowerShell(queue, null);
      return statusOf(code === 0 ? 'unknown' : code === 3 ? 'offline' : 'unreachable', where);
    },
  };
}
