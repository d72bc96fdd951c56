//! Just enough of a browser for the page tests: a cookie jar, form posts, and reading values out
//! of the HTML (the e2e suite drives the same pages in Chromium).

use std::collections::HashMap;

use reqwest::{Response, StatusCode};

use crate::helpers::TestApp;

/// Just enough of a browser: a cookie jar and form posts.
pub struct Browser<'a> {
    app: &'a TestApp,
    /// The URL requests go to (a data centre of the app).
    pub base: String,
    pub cookies: HashMap<String, String>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self { app, base: app.base.clone(), cookies: HashMap::new() }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn keep_cookies(&mut self, resp: &Response) {
        for value in resp.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            assert!(text.contains("HttpOnly") && text.contains("SameSite=Lax"), "{text}");
            let (pair, _) = text.split_once(';').unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.insert(k.to_string(), v.to_string());
        }
    }

    pub async fn get(&mut self, path: &str) -> (StatusCode, Option<String>, String) {
        let resp = self.app.http.get(format!("{}{}", self.base, path)).header("Cookie", self.cookie_header()).send().await.unwrap();
        self.finish(resp).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (StatusCode, Option<String>, String) {
        let resp =
            self.app.http.post(format!("{}{}", self.base, path)).header("Cookie", self.cookie_header()).form(form).send().await.unwrap();
        self.finish(resp).await
    }

    async fn finish(&mut self, resp: Response) -> (StatusCode, Option<String>, String) {
        self.keep_cookies(&resp);
        let status = resp.status();
        if resp.headers().get("content-type").is_some_and(|v| v.to_str().unwrap().starts_with("text/html")) {
            assert_eq!(resp.headers()["x-frame-options"], "DENY");
            assert!(resp.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
        }
        let location = resp.headers().get("location").map(|v| v.to_str().unwrap().to_string());
        (status, location, resp.text().await.unwrap())
    }

    pub fn csrf(&self) -> String {
        self.cookies["bb_csrf"].clone()
    }
}

/// The value of the hidden or option input `name` in a page (HTML entities undone).
pub fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no input {name} in {html}")) + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].replace("&amp;", "&").replace("&#x2f;", "/").replace("&#x27;", "'").replace("&quot;", "\"")
}

pub fn option_values(html: &str) -> Vec<String> {
    html.match_indices("<option value=\"").map(|(i, m)| html[i + m.len()..].split('"').next().unwrap().to_string()).collect()
}

pub fn query_of(location: &str) -> HashMap<String, String> {
    let url = url::Url::parse(location).unwrap();
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// HTML with the escapes minijinja writes undone.
pub fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
