// Hosts files as Ruby's Resolv::Hosts reads them: `#` starts a comment, each line is an address, a
// host name and aliases; a name maps to its addresses and an address to its names, in file order,
// names matched exactly. Read once, on first use (Resolv::Hosts is lazy too).
import { readFileSync } from 'node:fs';

export class HostsFile {
  private byName?: Map<string, string[]>;
  private byAddress?: Map<string, string[]>;

  constructor(readonly path: string) {}

  private load(): void {
    this.byName = new Map();
    this.byAddress = new Map();
    let text = '';
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      // Resolv::Hosts treats an unreadable file as empty.
      return;
    }
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (line === '') continue;
      const [address, ...names] = line.split(/\s+/) as [string, ...string[]];
      if (names.length === 0) continue;
      const addr = address.replace(/%.*/, '');
      const list = this.byAddress.get(addr) ?? [];
      list.push(...names);
      this.byAddress.set(addr, list);
      for (const name of names) {
        const addrs = this.byName.get(name) ?? [];
        addrs.push(addr);
        this.byName.set(name, addrs);
      }
    }
  }

  /** The first address of a name, if the file has it. */
  address(name: string): string | undefined {
    if (!this.byName) this.load();
    return this.byName!.get(name)?.[0];
  }

  /** The first name of an address, if the file has it. */
  name(address: string): string | undefined {
    if (!this.byAddress) this.load();
    return this.byAddress!.get(address)?.[0];
  }
}
