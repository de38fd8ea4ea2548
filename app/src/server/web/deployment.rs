//! How this deployment is reached: the public address links are built from,
//! and the reverse proxies whose forwarding header is believed.

use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// Settings that pages need at run time.
#[derive(Clone, Debug)]
pub struct PortalSettings {
    /// The address every link that leaves the page is built from (messages, the
    /// feed, the private status link): the configured public address, or else the
    /// address the server listens on. Never taken from a request, whose `Host`
    /// header anyone can write.
    pub origin: String,
    /// Served over https (the public URL says so): session cookies are `Secure` and
    /// `__Host-` prefixed, and responses carry HSTS.
    pub secure_cookies: bool,
    /// Reverse proxies whose forwarding header is believed: a request from one of
    /// them is counted against the client it names.
    pub trusted_proxies: Vec<IpNet>,
    /// The one header the trusted proxies write the client into. Only one is
    /// read: a proxy passes the other through as the client wrote it.
    pub forwarded_header: ForwardedHeader,
    /// The zone times are shown in to someone who chose none and whose browser
    /// has not said its own (`PORTAL_TIME_ZONE`).
    pub time_zone: chrono_tz::Tz,
}

/// Which header names the client behind a trusted proxy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For` (nginx, HAProxy, Traefik, Envoy, most load balancers).
    #[default]
    XForwardedFor,
    /// `Forwarded` (RFC 7239).
    Forwarded,
}

impl ForwardedHeader {
    /// Reads the setting's value: `x-forwarded-for` or `forwarded`.
    pub fn parse(raw: &str) -> Option<ForwardedHeader> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "x-forwarded-for" => Some(ForwardedHeader::XForwardedFor),
            "forwarded" => Some(ForwardedHeader::Forwarded),
            _ => None,
        }
    }
}

/// A setting that cannot be used; the portal does not start with it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error(
        "the public address {0:?} must be http:// or https:// followed by a host name (and a \
         port), with no path: for example https://help.example.com"
    )]
    PublicUrl(String),
    #[error("the trusted proxy {0:?} is neither an IP address nor a network such as 10.0.0.0/8")]
    TrustedProxy(String),
    #[error(
        "PORTAL_TIME_ZONE {0:?} is not a time zone: give its IANA name, such as Europe/London, \
         America/New_York or UTC"
    )]
    TimeZone(String),
}

impl PortalSettings {
    /// Settings from the configuration: the public address users reach the portal
    /// at (if the admin set one), the address the server listens on, and the
    /// trusted reverse proxies (addresses or networks).
    pub fn new(
        public_url: Option<&str>,
        listening: SocketAddr,
        trusted_proxies: &[String],
    ) -> Result<PortalSettings, SettingsError> {
        let origin = match public_url.filter(|_| Self::public_url_set(public_url)) {
            Some(url) => public_origin(url.trim())?,
            None => listening_origin(listening),
        };
        let trusted_proxies = trusted_proxies
            .iter()
            .map(|raw| parse_network(raw))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PortalSettings {
            secure_cookies: origin.starts_with("https://"),
            origin,
            trusted_proxies,
            forwarded_header: ForwardedHeader::default(),
            time_zone: chrono_tz::Tz::UTC,
        })
    }

    /// Sets the portal's own time zone from its IANA name.
    pub fn with_time_zone(mut self, name: &str) -> Result<PortalSettings, SettingsError> {
        self.time_zone = name
            .trim()
            .parse()
            .map_err(|_| SettingsError::TimeZone(name.to_string()))?;
        Ok(self)
    }

    /// Whether `address` is one of the trusted reverse proxies (an IPv4 address
    /// seen through a dual-stack listener, `::ffff:a.b.c.d`, is `a.b.c.d`).
    pub fn is_trusted_proxy(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.trusted_proxies
            .iter()
            .any(|network| network.contains(&address))
    }

    /// Whether the public address was configured (and not left blank).
    pub fn public_url_set(public_url: Option<&str>) -> bool {
        public_url.is_some_and(|url| !url.trim().is_empty())
    }
}

/// `https://help.example.com` from what the admin configured, or why not.
fn public_origin(url: &str) -> Result<String, SettingsError> {
    let refused = || SettingsError::PublicUrl(url.to_string());
    let uri: http::Uri = url.parse().map_err(|_| refused())?;
    let scheme = uri.scheme_str().map(str::to_ascii_lowercase);
    let authority = uri.authority().ok_or_else(refused)?;
    let plain_path = matches!(uri.path(), "" | "/") && uri.query().is_none();
    let no_user = !authority.as_str().contains('@');
    match scheme.as_deref() {
        Some(scheme @ ("http" | "https"))
            if plain_path && no_user && !authority.host().is_empty() =>
        {
            Ok(format!(
                "{scheme}://{}",
                authority.as_str().to_ascii_lowercase()
            ))
        }
        _ => Err(refused()),
    }
}

/// The listening address as an origin. A wildcard address (`0.0.0.0`, `::`) is
/// no address anyone can open, so links then say `localhost`; start-up warns.
fn listening_origin(listening: SocketAddr) -> String {
    let port = listening.port();
    match listening.ip() {
        ip if ip.is_unspecified() => format!("http://localhost:{port}"),
        IpAddr::V4(ip) => format!("http://{ip}:{port}"),
        IpAddr::V6(ip) => format!("http://[{ip}]:{port}"),
    }
}

fn parse_network(raw: &str) -> Result<IpNet, SettingsError> {
    let raw = raw.trim();
    raw.parse::<IpNet>()
        .or_else(|_| raw.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| SettingsError::TrustedProxy(raw.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listening() -> SocketAddr {
        "127.0.0.1:3000".parse().unwrap()
    }

    #[test]
    fn links_use_the_public_address_or_else_the_listening_one() {
        let configured =
            PortalSettings::new(Some("https://Help.Example.com/"), listening(), &[]).unwrap();
        assert_eq!(configured.origin, "https://help.example.com");
        assert!(configured.secure_cookies);
        let unset = PortalSettings::new(None, listening(), &[]).unwrap();
        assert_eq!(unset.origin, "http://127.0.0.1:3000");
        assert!(!unset.secure_cookies);
        let wildcard = PortalSettings::new(None, "[::]:8080".parse().unwrap(), &[]).unwrap();
        assert_eq!(wildcard.origin, "http://localhost:8080");
        let v6 = PortalSettings::new(None, "[::1]:8080".parse().unwrap(), &[]).unwrap();
        assert_eq!(v6.origin, "http://[::1]:8080");
    }

    #[test]
    fn a_public_address_with_a_path_a_user_or_another_scheme_is_refused() {
        for bad in [
            "help.example.com",
            "ftp://help.example.com",
            "https://help.example.com/portal",
            "https://user@help.example.com",
            "https://help.example.com/?x=1",
            "https://",
        ] {
            assert_eq!(
                PortalSettings::new(Some(bad), listening(), &[]).unwrap_err(),
                SettingsError::PublicUrl(bad.to_string()),
                "{bad}"
            );
        }
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let settings = PortalSettings::new(
            None,
            listening(),
            &[
                "10.0.0.0/8".into(),
                " 192.168.1.5 ".into(),
                "fd00::/8".into(),
            ],
        )
        .unwrap();
        assert!(settings.is_trusted_proxy("10.1.2.3".parse().unwrap()));
        assert!(settings.is_trusted_proxy("192.168.1.5".parse().unwrap()));
        assert!(!settings.is_trusted_proxy("192.168.1.6".parse().unwrap()));
        assert!(settings.is_trusted_proxy("fd12::1".parse().unwrap()));
        assert_eq!(
            PortalSettings::new(None, listening(), &["proxy.local".into()]).unwrap_err(),
            SettingsError::TrustedProxy("proxy.local".into())
        );
    }
}
