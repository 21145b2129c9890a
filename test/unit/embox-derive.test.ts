import { mkdtemp, mkdir, rm, writeFile, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildQemuArgs } from '../../src/boot/guest.js';
import {
  deriveEmboxRun,
  emboxGuestSpec,
  netDriversFromMods,
  nicFromMods,
  ramMbFromLds,
} from '../../src/build/embox/derive.js';
import { networkCidr, parseNetworkFile } from '../../src/build/embox/network-file.js';
import { httpdReadyMarker, shellPromptMarker, startCommandsFromInc } from '../../src/build/embox/ready-marker.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures-data', 'embox');
const tmpDirs: string[] = [];

async function tmpConf(from: string, files: Record<string, string | null> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-embox-conf-'));
  tmpDirs.push(dir);
  await cp(path.join(FIXTURES, from), dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    if (text === null) await rm(file, { force: true });
    else {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
    }
  }
  return dir;
}

afterEach(async () => {
  await Promise.all(tmpDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('deriveEmboxRun on sample conf folders', () => {
  it('x86: follows #include, #define and continuation lines, skips commented-out drivers', async () => {
    const run = await deriveEmboxRun(path.join(FIXTURES, 'x86-conf'));
    expect(run).toMatchObject({
      arch: 'x86',
      qemu: 'qemu-system-i386',
      loader: 'kernel',
      memoryMb: 128,
      network: {
        nic: 'e1000',
        emboxNic: 'e1000',
        nicOnBoard: false,
        mac: '52:54:00:AB:CD:EF',
        guestIp: '192.168.76.20',
        gateway: '192.168.76.1',
        net: '192.168.76.0/22',
        guestPort: 80,
      },
      startMarker: 'Embox kernel start',
      startScriptMentionsHttpd: true,
      startCommands: ['export PWD=/', 'service httpd', 'tish'],
    });
    expect(run.machine).toBeUndefined();
    expect(new RegExp(run.readyMarker).test('Starting service: httpd')).toBe(true);
    expect(new RegExp(run.readyMarker).test('Starting service: httpd_cgi')).toBe(false);
  });

  it('arm vexpress-a9: machine from PLATFORM, on-board NIC, hex RAM size, CIDR address, direct httpd', async () => {
    const run = await deriveEmboxRun(path.join(FIXTURES, 'arm-conf'));
    expect(run).toMatchObject({
      arch: 'arm',
      platform: 'vexpress-a9',
      qemu: 'qemu-system-arm',
      machine: 'vexpress-a9',
      memoryMb: 256,
      network: { nic: 'lan9118', nicOnBoard: true, guestIp: '10.0.2.16', gateway: '10.0.2.2', net: '10.0.2.0/24' },
      startScriptMentionsHttpd: true,
    });
    expect(run.network?.mac).toBeUndefined();
    expect(new RegExp(run.readyMarker).test('>httpd')).toBe(true);
  });

  it('riscv64: 64-bit emulator from the flags, -bios loading, #if/#else; no httpd: no network, the shell prompt is ready', async () => {
    const run = await deriveEmboxRun(path.join(FIXTURES, 'riscv64-conf'));
    expect(run).toMatchObject({
      qemu: 'qemu-system-riscv64',
      machine: 'virt',
      loader: 'bios',
      memoryMb: 512,
      network: null,
    });
    expect(run.startScriptMentionsHttpd).toBe(false);
    expect(run.startCommands).toEqual([]);
    expect(run.readyMarker).toBe(shellPromptMarker(''));
    const spec = emboxGuestSpec(run, '/img/embox');
    const args = buildQemuArgs(spec, null);
    expect(args[args.indexOf('-bios') + 1]).toBe('/img/embox');
    expect(args).not.toContain('-kernel');
    expect(args[args.indexOf('-nic') + 1]).toBe('none');
  });

  it("the shell prompt marker follows tish's prompt option, rich or plain", () => {
    const rich = new RegExp(
      shellPromptMarker(
        'include embox.cmd.sh.tish(\n\t\tprompt="%u@%h:%w%$", rich_prompt_support=1,\n\t\tbuiltin_commands="exit logout")',
      ),
    );
    expect(rich.test('root@embox:/#')).toBe(true);
    expect(rich.test('root@embox:/# ')).toBe(true);
    expect(rich.test('>tish')).toBe(false);
    const plain = new RegExp(shellPromptMarker('include embox.cmd.sh.tish(prompt="box$ ")'));
    expect(plain.test('box$ ')).toBe(true);
    expect(plain.test('xbox$ ')).toBe(false);
    expect(new RegExp(shellPromptMarker('')).test('embox> ')).toBe(true);
  });

  it("arm integratorcp: the on-board lan91c111 is attached as the board's smc91c111 with -net nic", async () => {
    const conf = await tmpConf('arm-conf', {
      'build.conf': 'ARCH = arm\nPLATFORM = integratorcp\nCROSS_COMPILE = arm-none-eabi-\n',
      'mods.conf':
        'configuration conf {\n\t@Runlevel(1) include embox.driver.net.lan91c111(base_addr=0xC8000000)\n\tinclude embox.driver.net.loopback\n}\n',
      'rootfs/network':
        'iface eth0 inet static\n\taddress 10.0.2.16\n\tnetmask 255.255.255.0\n\tgateway 10.0.2.10\n\thwaddress AA:BB:CC:DD:EE:02\n',
    });
    const run = await deriveEmboxRun(conf);
    expect(run).toMatchObject({
      qemu: 'qemu-system-arm',
      machine: 'integratorcp',
      loader: 'kernel',
      network: { nic: 'smc91c111', emboxNic: 'lan91c111', nicOnBoard: true },
    });
    const args = buildQemuArgs(emboxGuestSpec(run, '/img/embox'), 8080);
    expect(args[args.indexOf('-net') + 1]).toBe('nic,netdev=n0,model=smc91c111,macaddr=AA:BB:CC:DD:EE:02');
    expect(args).not.toContain('-device');
    expect(args[args.indexOf('-netdev') + 1]).toBe(
      'user,id=n0,net=10.0.2.0/24,host=10.0.2.10,hostfwd=tcp:127.0.0.1:8080-10.0.2.16:80',
    );
  });

  it('aarch64 gets virt with GICv3 and a cortex-a53', async () => {
    const conf = await tmpConf('riscv64-conf', { 'build.conf': 'ARCH = aarch64\nCFLAGS += -mabi=lp64\n' });
    const run = await deriveEmboxRun(conf);
    expect(run).toMatchObject({
      qemu: 'qemu-system-aarch64',
      machine: 'virt,gic_version=3',
      cpu: 'cortex-a53',
      loader: 'kernel',
    });
  });

  it('the GuestSpec it makes gives the QEMU arguments that boot the x86/qemu template', async () => {
    const conf = await tmpConf('x86-conf', {
      'rootfs/network':
        'iface eth0 inet static\n\taddress 10.0.2.16\n\tnetmask 255.255.255.0\n\tgateway 10.0.2.10\n\thwaddress aa:bb:cc:dd:ee:02\n',
      'mods.conf': 'configuration conf {\n\tinclude embox.driver.net.loopback\n\tinclude embox.driver.net.virtio\n}\n',
      'lds.conf': 'RAM (0x00100000, 256M)\n',
    });
    const spec = emboxGuestSpec(await deriveEmboxRun(conf), '/img/embox');
    const args = buildQemuArgs(spec, 8080);
    expect(spec.qemu).toBe('qemu-system-i386');
    expect(args).toEqual(expect.arrayContaining(['-m', '256', '-kernel', '/img/embox']));
    expect(args).toContain('user,id=n0,net=10.0.2.0/24,host=10.0.2.10,hostfwd=tcp:127.0.0.1:8080-10.0.2.16:80');
    expect(args).toContain('virtio-net-pci,netdev=n0,mac=aa:bb:cc:dd:ee:02');
  });
});

describe('deriveEmboxRun errors name the file and what was expected', () => {
  it('missing conf folder', async () => {
    await expect(deriveEmboxRun('/nonexistent/conf')).rejects.toThrow(/conf folder not found/);
  });

  it('missing build.conf', async () => {
    const conf = await tmpConf('x86-conf', { 'build.conf': null });
    await expect(deriveEmboxRun(conf)).rejects.toThrow(/build\.conf not found.*confload/);
  });

  it('no ARCH', async () => {
    const conf = await tmpConf('x86-conf', { 'build.conf': 'TARGET = embox\n// ARCH = x86\n' });
    await expect(deriveEmboxRun(conf)).rejects.toThrow(/build\.conf: no "ARCH = <arch>" line/);
  });

  it('unsupported ARCH and unknown PLATFORM', async () => {
    const e2k = await tmpConf('x86-conf', { 'build.conf': 'ARCH = e2k\n' });
    await expect(deriveEmboxRun(e2k)).rejects.toThrow(
      /ARCH e2k is not one bootgate can boot.*expected one of x86, arm/,
    );
    const stm = await tmpConf('x86-conf', { 'build.conf': 'ARCH = arm\nPLATFORM = stm32f4\n' });
    await expect(deriveEmboxRun(stm)).rejects.toThrow(/PLATFORM stm32f4: no QEMU machine known.*vexpress-a9/);
  });

  it('no RAM region', async () => {
    const conf = await tmpConf('x86-conf', { 'lds.conf': 'ROM (0x0, 64K)\n/* RAM (0x1000, 1M) */\n' });
    await expect(deriveEmboxRun(conf)).rejects.toThrow(
      /lds\.conf: no RAM region found; expected a line like "RAM \(0x00100000, 256M\)"/,
    );
  });

  it('broken #include', async () => {
    const conf = await tmpConf('x86-conf', { 'build.conf': '#include "nowhere.inc"\nARCH = x86\n' });
    await expect(deriveEmboxRun(conf)).rejects.toThrow(/build\.conf:1: #include "nowhere\.inc" not found/);
  });

  it('no NIC, or only NICs QEMU lacks', async () => {
    const none = await tmpConf('x86-conf', {
      'mods.conf': 'include embox.driver.net.loopback\n// include embox.driver.net.virtio\n',
    });
    await expect(deriveEmboxRun(none)).rejects.toThrow(/mods\.conf: includes no network driver/);
    const greth = await tmpConf('x86-conf', { 'mods.conf': 'include embox.driver.net.greth\n' });
    await expect(deriveEmboxRun(greth)).rejects.toThrow(
      /embox\.driver\.net\.greth have no QEMU model; expected one of e1000/,
    );
  });

  it('missing or dynamic network file', async () => {
    const gone = await tmpConf('x86-conf', { 'rootfs/network': null });
    await expect(deriveEmboxRun(gone)).rejects.toThrow(/rootfs\/network not found/);
    const dhcp = await tmpConf('x86-conf', { 'rootfs/network': 'iface eth0 inet dhcp\n' });
    await expect(deriveEmboxRun(dhcp)).rejects.toThrow(/no static non-loopback interface.*found: eth0 \(dhcp\)/);
  });
});

describe('conf parsing pieces', () => {
  it('ramMbFromLds handles K/M/G, hex and decimal sizes', () => {
    expect(ramMbFromLds('RAM (0x0, 256M)')).toBe(256);
    expect(ramMbFromLds('RAM (0x0, 1G)')).toBe(1024);
    expect(ramMbFromLds('RAM (0x20000000, 128K)')).toBe(1);
    expect(ramMbFromLds('RAM (0x80008040, 0xe80000)')).toBe(15);
    expect(ramMbFromLds('ROM (0x0, 1M)\n  RAM (0x100000, 33554432)')).toBe(32);
  });

  it('netDriversFromMods keeps order, drops loopback and lookalike modules', () => {
    const mods =
      'include embox.driver.net.loopback\ninclude embox.driver.net.e1000(x=1)\ninclude embox.driver.net.virtio.extra\ninclude embox.driver.net.virtio';
    expect(netDriversFromMods(mods)).toEqual(['e1000', 'virtio']);
    expect(nicFromMods('include embox.driver.net.phy\ninclude embox.driver.net.dwc_gmac')).toEqual({
      emboxNic: 'dwc_gmac',
      nic: 'dwgmac',
    });
  });

  it('parseNetworkFile: first static non-loopback interface, both hwaddress forms', () => {
    const text =
      'iface lo inet static\n address 127.0.0.1\n\niface eth1 inet static # second NIC\n address 10.0.3.5\n netmask 255.255.255.0\n hwaddress AA:BB:CC:DD:EE:03\n';
    expect(parseNetworkFile(text)).toEqual({
      name: 'eth1',
      address: '10.0.3.5',
      netmask: '255.255.255.0',
      hwaddress: 'AA:BB:CC:DD:EE:03',
    });
    expect(() => parseNetworkFile('iface eth0 inet static\n address 10.0.2.300\n')).toThrow(
      /"10\.0\.2\.300" is not an IPv4 address/,
    );
    expect(() => parseNetworkFile('iface eth0 inet static\n address 10.0.2.3\n hwaddress zz\n')).not.toThrow();
    expect(() => parseNetworkFile('iface eth0 inet static\n address 10.0.2.3\n hwaddress 1:2:3\n')).toThrow(
      /not a MAC address/,
    );
  });

  it('networkCidr masks the address', () => {
    expect(networkCidr('10.0.2.16', 24)).toBe('10.0.2.0/24');
    expect(networkCidr('192.168.77.200', 22)).toBe('192.168.76.0/22');
    expect(networkCidr('1.2.3.4', 0)).toBe('0.0.0.0/0');
  });

  it('start script: commands from string literals, ready marker by how httpd is started', () => {
    expect(startCommandsFromInc('"export PWD=/",\n"service httpd http_admin",\n')).toEqual([
      'export PWD=/',
      'service httpd http_admin',
    ]);
    expect(httpdReadyMarker(['service httpd http_admin'])).toEqual({
      readyMarker: String.raw`Starting service: httpd\b`,
      startScriptMentionsHttpd: true,
    });
    expect(httpdReadyMarker(['pthread httpd'])).toMatchObject({ startScriptMentionsHttpd: true });
    expect(httpdReadyMarker(['service telnetd', 'httpd_cgi'])).toMatchObject({ startScriptMentionsHttpd: false });
  });
});
