/**
 * Which addresses a remote image may be fetched from: public unicast only. Refused: loopback,
 * private (RFC 1918, unique-local), link-local (which holds the cloud metadata endpoints
 * 169.254.169.254 and fd00:ec2::254), CGNAT, unspecified, multicast, reserved and documentation
 * ranges, and IPv6 forms that embed one of those IPv4 addresses (mapped, NAT64, 6to4).
 */
import type * as Net from "node:net";

// Loaded with the first remote image: node:net and the stream polyfills it pulls in cost ~3 ms of
// every start (docs/engineering.md B10), for one `isIP`.
let net: typeof Net | undefined;
/** 4 or 6 for an IP address literal, 0 for anything else (node:net `isIP`). */
export function ipVersion(text: string): number {
  return (net ??= require("node:net") as typeof Net).isIP(text);
}

/** [network, prefix length] */
const V4_DENY: [string, number][] = [
  ["0.0.0.0", 8], // "this network"; 0.0.0.0 reaches the host itself
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];

function v4ToInt(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

function v4Denied(ip: string): boolean {
  const n = v4ToInt(ip);
  return V4_DENY.some(([net, bits]) => {
    const size = 2 ** (32 - bits);
    const start = v4ToInt(net);
    return n >= start && n < start + size;
  });
}

/** The 8 groups of an IPv6 address (a trailing dotted IPv4 becomes two groups). */
function v6Groups(ip: string): number[] | undefined {
  let s = ip.toLowerCase();
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = v4ToInt(v4[1]!);
    s = `${s.slice(0, v4.index)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = s.split("::") as [string, string | undefined];
  const a = head ? head.split(":") : [];
  const b = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const fill = tail !== undefined ? 8 - a.length - b.length : 0;
  const groups = [...a, ...Array(Math.max(0, fill)).fill("0"), ...b].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

function embeddedV4(hi: number, lo: number): string {
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

function v6Denied(ip: string): boolean {
  const g = v6Groups(ip);
  if (!g) return true;
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  if (g.every((x) => x === 0)) return true; // ::
  if (g.slice(0, 7).every((x) => x === 0) && g7 === 1) return true; // ::1
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && (g5 === 0xffff || g5 === 0)) return v4Denied(embeddedV4(g6, g7)); // mapped / compatible
  if (g0 === 0x64 && g1 === 0xff9b) return v4Denied(embeddedV4(g6, g7)); // NAT64
  if (g0 === 0x2002) return v4Denied(embeddedV4(g1, g2)); // 6to4
  if ((g0 & 0xfe00) === 0xfc00) return true; // unique local (fd00:ec2::254 too)
  if ((g0 & 0xffc0) === 0xfe80) return true; // link-local
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  if (g0 === 0x2001 && g1 === 0xdb8) return true; // documentation
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return true; // discard
  return false;
}

/** True when the gateway must not connect to this address (anything that is not an IP counts as refused). */
export function isForbiddenAddress(address: string): boolean {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const kind = ipVersion(bare.split("%")[0]!);
  if (kind === 4) return v4Denied(bare);
  if (kind === 6) return v6Denied(bare);
  return true;
}
