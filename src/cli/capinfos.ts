// `flowstash capinfos FILE…`: Wireshark capinfos 4.0's summary lines for each capture.
// Exit status: 0 all files read; 1 a file was damaged (its summary covers the packets before the
// fault); 2 a file could not be opened or is not a capture.
import { Command, CommanderError } from 'commander';
import { formatSummary, summarizeCapture } from '../capture/capinfos.ts';
import { CaptureError } from '../capture/errors.ts';

export async function run(args: string[]): Promise<number> {
  const cmd = new Command('flowstash capinfos')
    .description('Summarise pcap, pcapng or RFC 5655 IPFIX files like Wireshark capinfos 4.0 (times in local time; set TZ to choose).')
    .argument('<file...>', 'capture files')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  let files: string[];
  try {
    cmd.parse(args, { from: 'user' });
    files = cmd.args;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  let status = 0;
  let printed = 0;
  for (const file of files) {
    try {
      const summary = await summarizeCapture(file);
      if (summary.error) {
        process.stderr.write(
          `capinfos: An error occurred after reading ${summary.packets} packets from "${file}".\n` +
            `capinfos: ${summary.error.message}\n  (will continue anyway, checksums might be incorrect)\n`,
        );
        status = Math.max(status, 1);
      }
      process.stdout.write(`${printed > 0 ? '\n' : ''}${formatSummary(summary, file)}\n`);
      printed++;
    } catch (e) {
      if (!(e instanceof CaptureError)) throw e;
      const why = e.kind === 'open' ? e.message : `The file "${file}" isn't a capture file in a format capinfos understands.\ncapinfos: ${e.message}`;
      process.stderr.write(`capinfos: ${why}\n`);
      status = 2;
    }
  }
  return status;
}
