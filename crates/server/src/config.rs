//! Typed server configuration, built by the binary from flags and environment variables.

/// What a server needs to know about where it is reached.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The URL clients reach this server at: the accounts server and the `api_domain`.
    pub public_url: String,
    /// The data centre this server answers for (`location` in redirects).
    pub location: String,
}

impl ServerConfig {
    pub fn new(public_url: &str) -> Self {
        Self { public_url: public_url.trim_end_matches('/').to_string(), location: "us".into() }
    }

    pub fn accounts_url(&self) -> &str {
        &self.public_url
    }

    pub fn api_domain(&self) -> &str {
        &self.public_url
    }
}
