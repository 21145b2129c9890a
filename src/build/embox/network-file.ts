// Embox's conf/rootfs/network (interfaces(5) format) and the IPv4 arithmetic it needs.

export interface InterfaceSettings {
  name: string;
  address: string;
  netmask?: string;
  gateway?: string;
  hwaddress?: string;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipToInt(ip: string, what: string): number {
  const m = IPV4.exec(ip);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) throw new Error(`${what}: "${ip}" is not an IPv4 address`);
  return m.slice(1).reduce((acc, o) => acc * 256 + Number(o), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function prefixFromMask(mask: string, what: string): number {
  const n = ipToInt(mask, what);
  const bits = n.toString(2).padStart(32, '0');
  if (!/^1*0*$/.test(bits)) throw new Error(`${what}: netmask ${mask} is not contiguous`);
  return bits.indexOf('0') === -1 ? 32 : bits.indexOf('0');
}

/** The network containing `address`, e.g. (10.0.2.16, 24) → 10.0.2.0/24. */
export function networkCidr(address: string, prefix: number, what = 'network'): string {
  const ip = ipToInt(address, what);
  const size = 2 ** (32 - prefix);
  return `${intToIp(Math.floor(ip / size) * size)}/${prefix}`;
}

/**
 * The first static non-loopback interface of an interfaces(5)-style file, the format of
 * Embox's conf/rootfs/network: `iface eth0 inet static` followed by `address`, `netmask`,
 * `gateway`, `hwaddress` lines.
 */
export function parseNetworkFile(text: string, file = 'rootfs/network'): InterfaceSettings {
  const stanzas: { name: string; method: string; options: Map<string, string[]> }[] = [];
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const words = line.split(/\s+/);
    if (words[0] === 'iface') {
      stanzas.push({ name: words[1] ?? '', method: words[3] ?? '', options: new Map() });
    } else if (stanzas.length > 0 && !['auto', 'allow-hotplug', 'mapping', 'source'].includes(words[0]!)) {
      stanzas[stanzas.length - 1]!.options.set(words[0]!, words.slice(1));
    }
  }
  const candidates = stanzas.filter((s) => s.name !== 'lo');
  const iface = candidates.find((s) => s.method === 'static');
  if (!iface) {
    const seen = candidates.map((s) => `${s.name} (${s.method || 'no method'})`).join(', ');
    throw new Error(
      `${file}: no static non-loopback interface; expected a stanza like "iface eth0 inet static" with an "address" line` +
        (seen ? ` (found: ${seen})` : ''),
    );
  }
  const first = (key: string): string | undefined => iface.options.get(key)?.[0];
  let address = first('address');
  if (!address) throw new Error(`${file}: interface ${iface.name} has no "address" line`);
  let netmask = first('netmask');
  const slash = /^(.+)\/(\d+)$/.exec(address);
  if (slash) {
    // CIDR address: the prefix stands for the netmask
    address = slash[1]!;
    const prefix = Number(slash[2]);
    if (prefix > 32) throw new Error(`${file}: interface ${iface.name} address has prefix /${prefix}; expected 0–32`);
    netmask ??= intToIp(prefix === 0 ? 0 : 2 ** 32 - 2 ** (32 - prefix));
  }
  ipToInt(address, `${file}: interface ${iface.name} address`);
  const gateway = first('gateway');
  if (gateway) ipToInt(gateway, `${file}: interface ${iface.name} gateway`);
  // "hwaddress ether AA:BB:…" and "hwaddress AA:BB:…" are both common
  const hw = iface.options.get('hwaddress')?.find((w) => w.includes(':'));
  if (hw !== undefined && !/^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/.test(hw)) {
    throw new Error(`${file}: interface ${iface.name} hwaddress "${hw}" is not a MAC address like AA:BB:CC:DD:EE:02`);
  }
  return {
    name: iface.name,
    address,
    ...(netmask ? { netmask } : {}),
    ...(gateway ? { gateway } : {}),
    ...(hw ? { hwaddress: hw } : {}),
  };
}
