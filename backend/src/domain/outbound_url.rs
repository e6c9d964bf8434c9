//! Which URLs the server may call on a tenant's behalf: provider base URLs (`graph_base_url`), the
//! media links a provider hands out, and later Typebot, ChatGPT and outgoing webhooks.
//!
//! A tenant admin chooses these URLs, and what the server fetches can come back to them (stored
//! media, error messages), so without care they read the server's own network (finding #1 of the
//! 2026-11-28 security review). Unless the operator sets `ATENDE_ALLOW_PRIVATE_URLS` (tests,
//! on-premise providers), a URL must be `https` and its host must be a public address: checked on a
//! literal IP (`check_literal`), on the name's DNS answers (`check`), and again at connect time by
//! `GuardedResolver`, so a name whose answer changes after the check (DNS rebinding) still cannot
//! reach loopback, private, link-local, unique-local or unspecified addresses.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why a URL may not be called. The words complete "the URL …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("is not a URL")]
    NotAUrl,
    #[error("must be an http(s) URL")]
    NotHttp,
    #[error("must be an https URL")]
    NotHttps,
    #[error("must not carry a user name or password")]
    Credentials,
    #[error("must name a host")]
    NoHost,
    #[error("must not point at a loopback, private or link-local address")]
    PrivateAddress,
    #[error("names a host that does not resolve")]
    Unresolvable,
}

impl From<Refused> for shared::validate::Invalid {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::NotAUrl | Refused::NotHttp | Refused::Credentials | Refused::NoHost => Self::NotUrl,
            Refused::NotHttps | Refused::PrivateAddress | Refused::Unresolvable => Self::NotPublicUrl,
        }
    }
}

/// The URL when its form is acceptable: `http(s)`, a host, no credentials; with `allow_private` off
/// also `https` only and, for a literal IP host, a public address. Names are not resolved here.
pub fn check_literal(raw: &str, allow_private: bool) -> Result<Url, Refused> {
    let url = Url::parse(raw.trim()).map_err(|_| Refused::NotAUrl)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => return Err(Refused::NotHttps),
        _ => return Err(Refused::NotHttp),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refused::Credentials);
    }
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or(Refused::NoHost)?;
    if allow_private {
        return Ok(url);
    }
    match literal_ip(host) {
        Some(ip) if !is_public(ip) => Err(Refused::PrivateAddress),
        _ => Ok(url),
    }
}

/// `check_literal`, then (with `allow_private` off) every address the host name resolves to must be
/// public. For checking a URL when it is stored; requests go through `GuardedResolver` as well.
pub async fn check(raw: &str, allow_private: bool) -> Result<Url, Refused> {
    let url = check_literal(raw, allow_private)?;
    if allow_private {
        return Ok(url);
    }
    if let Some(name) = url.host_str().filter(|h| literal_ip(h).is_none()) {
        let addresses: Vec<SocketAddr> =
            tokio::net::lookup_host((name, 0)).await.map_err(|_| Refused::Unresolvable)?.collect();
        if addresses.is_empty() {
            return Err(Refused::Unresolvable);
        }
        if addresses.iter().any(|a| !is_public(a.ip())) {
            return Err(Refused::PrivateAddress);
        }
    }
    Ok(url)
}

/// The address a URL's host spells out, if it is one (the URL parser has already normalised forms
/// like `0x7f.1` to `127.0.0.1`; IPv6 comes in brackets).
fn literal_ip(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

/// A DNS resolver for `reqwest` that hands out only public addresses: a name that resolves only to
/// private ones fails with `Refused::PrivateAddress` (which callers can find in the error's sources).
#[derive(Debug, Clone, Copy, Default)]
pub struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(Box::new(Refused::PrivateAddress) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// Whether an address is on the public internet: not loopback, private (RFC 1918), carrier-grade NAT,
/// link-local, unique-local, unspecified, broadcast, multicast, documentation or reserved, also when
/// an IPv4 address hides inside an IPv6 one (mapped, compatible, NAT64, 6to4).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => is_public_v6(ip),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0                                   // "this network", 0.0.0.0 included
        || ip.is_loopback()                    // 127/8
        || ip.is_private()                     // 10/8, 172.16/12, 192.168/16
        || ip.is_link_local()                  // 169.254/16, cloud metadata
        || (a == 100 && (64..128).contains(&b)) // 100.64/10, carrier-grade NAT
        || (a == 192 && b == 0 && c == 0)      // 192.0.0/24, protocol assignments
        || (a == 198 && (b == 18 || b == 19))  // 198.18/15, benchmarking
        || ip.is_documentation()
        || ip.is_multicast()
        || a >= 240) // 240/4 reserved, 255.255.255.255 broadcast
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    if ip.is_loopback() || ip.is_unspecified() {
        return false;
    }
    // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated).
    if let Some(v4) = ip.to_ipv4() {
        return is_public_v4(v4);
    }
    let embedded = |high: u16, low: u16| Ipv4Addr::from(((high as u32) << 16) | low as u32);
    match segments[0] {
        0x0064 if segments[1] == 0xff9b => is_public_v4(embedded(segments[6], segments[7])), // NAT64
        0x2002 => is_public_v4(embedded(segments[1], segments[2])),                          // 6to4
        0x2001 if segments[1] == 0x0db8 => false,                                            // documentation
        first => {
            !((first & 0xfe00) == 0xfc00        // fc00::/7 unique local
                || (first & 0xffc0) == 0xfe80   // fe80::/10 link-local
                || (first & 0xffc0) == 0xfec0   // fec0::/10 site-local (deprecated)
                || (first & 0xff00) == 0xff00) // ff00::/8 multicast
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for raw in [
            "127.0.0.1",
            "127.255.255.254",
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "192.0.2.1",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip(raw)), "{raw} is not public");
        }
        for raw in ["8.8.8.8", "157.240.22.35", "172.32.0.1", "100.128.0.1", "2a03:2880:f10c::1", "::ffff:8.8.8.8"] {
            assert!(is_public(ip(raw)), "{raw} is public");
        }
    }

    #[test]
    fn literal_checks() {
        assert!(check_literal("https://graph.facebook.com/v21.0", false).is_ok());
        assert!(check_literal("https://157.240.22.35/", false).is_ok());
        assert_eq!(check_literal("http://graph.facebook.com/", false), Err(Refused::NotHttps));
        assert_eq!(check_literal("ftp://graph.facebook.com/", false), Err(Refused::NotHttp));
        assert_eq!(check_literal("file:///etc/passwd", true), Err(Refused::NotHttp));
        assert_eq!(check_literal("not a url", false), Err(Refused::NotAUrl));
        assert_eq!(check_literal("https://user:pw@graph.facebook.com/", false), Err(Refused::Credentials));
        for private in [
            "https://127.0.0.1:8080/",
            "https://[::1]/",
            "https://169.254.169.254/latest/meta-data/",
            "https://10.1.2.3/",
            "https://0x7f.1/",
            "https://2130706433/",
            "https://[::ffff:7f00:1]/",
            "https://0/",
        ] {
            assert_eq!(check_literal(private, false), Err(Refused::PrivateAddress), "{private}");
        }
        // Allowed by the operator: loopback and plain http are fine, other schemes still are not.
        assert!(check_literal("http://127.0.0.1:9/v21.0", true).is_ok());
    }

    #[tokio::test]
    async fn names_are_resolved_and_checked() {
        assert_eq!(check("https://localhost:8443/", false).await, Err(Refused::PrivateAddress));
        assert!(check("https://localhost:8443/", true).await.is_ok());
        assert_eq!(check("https://no-such-host.invalid/", false).await, Err(Refused::Unresolvable));
    }

    #[tokio::test]
    async fn the_resolver_never_hands_out_a_private_address() {
        let name: Name = "localhost".parse().unwrap();
        let error = GuardedResolver.resolve(name).await.err().unwrap();
        assert_eq!(error.downcast_ref::<Refused>(), Some(&Refused::PrivateAddress));
    }
}
