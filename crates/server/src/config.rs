//! Typed server configuration, built by the binary from flags and environment variables.

/// Data-centre locations Zoho uses (`location` in redirects).
pub const LOCATIONS: &[&str] = &["us", "eu", "in", "au", "cn", "jp", "sa", "ca", "uk"];

/// One data centre this server hosts: its location and the URL its accounts server and API
/// answer at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataCentre {
    pub location: String,
    pub url: String,
}

/// What a server needs to know about where it is reached: the data centre this listener answers
/// for, and every data centre of the deployment.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The URL clients reach this data centre at: its accounts server and its `api_domain`.
    pub public_url: String,
    /// This data centre's location.
    pub location: String,
    pub data_centres: Vec<DataCentre>,
}

impl ServerConfig {
    /// A single data centre (`us`) at `public_url`.
    pub fn new(public_url: &str) -> Self {
        Self::for_data_centre(vec![DataCentre { location: "us".into(), url: public_url.trim_end_matches('/').to_string() }], 0)
    }

    /// The configuration of data centre `index` of `data_centres`.
    pub fn for_data_centre(data_centres: Vec<DataCentre>, index: usize) -> Self {
        let dc = data_centres[index].clone();
        Self { public_url: dc.url, location: dc.location, data_centres }
    }

    pub fn accounts_url(&self) -> &str {
        &self.public_url
    }

    pub fn api_domain(&self) -> &str {
        &self.public_url
    }

    /// The URL of the data centre at `location` (this one's when unknown).
    pub fn url_of(&self, location: &str) -> &str {
        self.data_centres.iter().find(|d| d.location == location).map_or(self.public_url.as_str(), |d| d.url.as_str())
    }
}
