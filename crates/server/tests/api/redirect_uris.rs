//! Redirect URIs match exactly: property tests over near misses of several registered shapes
//! (case, trailing slash, path, query, port, userinfo, encoding, trailing dot, backslash,
//! percent-encoded host, double encoding, `;` parameters, ...), at `/oauth/v2/auth` and at the
//! token endpoint; a tampered consent form; a missing `redirect_uri` at the token endpoint.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use reqwest::StatusCode;
use server::provision::{self, NewClient};

use crate::browser::{input_value, option_values, query_of, Browser};
use crate::helpers::{TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(near_misses_are_refused_at_the_auth_page_and_the_token_endpoint, a_tampered_consent_form_is_refused);

/// The shapes a client registers: plain, localhost with a port, a path and a query, the root,
/// a trailing slash.
const REGISTERED: &[&str] = &[
    "https://app.example/cb",
    "http://localhost:3000/callback",
    "https://app.example:8443/oauth/callback?tenant=a1",
    "https://app.example/",
    "http://127.0.0.1:8080/cb/",
];

/// The ways to miss a registered URI by a little.
#[derive(Clone, Copy, Debug)]
enum Miss {
    Case,
    TrailingSlash,
    Path,
    Query,
    Port,
    Userinfo,
    Encoding,
    TrailingDot,
    Backslash,
    EncodedHost,
    DoubleEncoding,
    Semicolon,
    Fragment,
    Whitespace,
    Scheme,
    Host,
    Edit,
}

const MISSES: &[Miss] = &[
    Miss::Case,
    Miss::TrailingSlash,
    Miss::Path,
    Miss::Query,
    Miss::Port,
    Miss::Userinfo,
    Miss::Encoding,
    Miss::TrailingDot,
    Miss::Backslash,
    Miss::EncodedHost,
    Miss::DoubleEncoding,
    Miss::Semicolon,
    Miss::Fragment,
    Miss::Whitespace,
    Miss::Scheme,
    Miss::Host,
    Miss::Edit,
];

/// A URI cut into the parts the misses work on: `scheme://authority` + `path` + `rest` (query).
struct Parts {
    scheme: String,
    host: String,
    port: Option<String>,
    path: String,
    query: Option<String>,
}

impl Parts {
    /// `None` once earlier misses left no `scheme://` to cut at.
    fn of(uri: &str) -> Option<Self> {
        let (scheme, rest) = uri.split_once("://")?;
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, rest) = rest.split_at(end);
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p.to_string())),
            None => (authority.to_string(), None),
        };
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (rest.to_string(), None),
        };
        Some(Self { scheme: scheme.into(), host, port, path, query })
    }

    fn authority(&self) -> String {
        match &self.port {
            Some(port) => format!("{}:{port}", self.host),
            None => self.host.clone(),
        }
    }

    fn join(&self) -> String {
        let query = self.query.as_ref().map(|q| format!("?{q}")).unwrap_or_default();
        format!("{}://{}{}{query}", self.scheme, self.authority(), self.path)
    }
}

/// The `n`-th (modulo) index of `text` whose char passes `pick`.
fn nth_index(text: &str, n: usize, pick: impl Fn(char) -> bool) -> Option<usize> {
    let found: Vec<usize> = text.char_indices().filter(|(_, c)| pick(*c)).map(|(i, _)| i).collect();
    (!found.is_empty()).then(|| found[n % found.len()])
}

fn percent(c: char) -> String {
    format!("%{:02X}", c as u32)
}

/// `uri` missed by `miss`; `n` and `byte` choose where and what.
fn near_miss(uri: &str, miss: Miss, n: usize, byte: u8) -> String {
    let letter = (b'a' + byte % 26) as char;
    let Some(mut p) = Parts::of(uri) else { return format!("{uri}{letter}") };
    match miss {
        Miss::Case => {
            let mut text: Vec<char> = uri.chars().collect();
            let letters: Vec<usize> = (0..text.len()).filter(|i| text[*i].is_ascii_alphabetic()).collect();
            let Some(&at) = letters.get(n % letters.len().max(1)) else { return format!("{uri}{letter}") };
            text[at] = if text[at].is_ascii_lowercase() { text[at].to_ascii_uppercase() } else { text[at].to_ascii_lowercase() };
            return text.into_iter().collect();
        }
        Miss::TrailingSlash => match p.path.strip_suffix('/') {
            Some(trimmed) => p.path = trimmed.to_string(),
            None => p.path.push('/'),
        },
        Miss::Path => {
            p.path = match n % 5 {
                0 => format!("{}/more", p.path.trim_end_matches('/')),
                1 => format!("{}/.", p.path),
                2 => format!("{}/..", p.path),
                3 => format!("/{}", p.path),
                _ => format!("/./{}", p.path.trim_start_matches('/')),
            }
        }
        Miss::Query => {
            p.query = Some(match (&p.query, n % 3) {
                (Some(q), 0) => format!("{q}{letter}"),
                (Some(q), 1) => format!("{q}&x=1"),
                (Some(_), _) => String::new(),
                (None, 0) => String::new(),
                (None, 1) => "x=1".into(),
                (None, _) => "redirect=https://evil.example".into(),
            })
        }
        Miss::Port => {
            p.port = match (&p.port, n % 2) {
                (Some(_), 0) => None,
                (Some(port), _) => Some(port.parse::<u32>().map_or_else(|_| format!("{port}{letter}"), |p| (p + 1).to_string())),
                (None, 0) => Some(if p.scheme == "https" { "443" } else { "80" }.into()),
                (None, _) => Some("8443".into()),
            }
        }
        Miss::Userinfo => {
            let authority = p.authority();
            let with = match n % 3 {
                0 => format!("user@{authority}"),
                1 => format!("user:pw@{authority}"),
                _ => format!("{authority}@evil.example"),
            };
            return format!("{}://{with}{}{}", p.scheme, p.path, p.query.map(|q| format!("?{q}")).unwrap_or_default());
        }
        Miss::Encoding => match nth_index(&p.path, n, |c| c.is_ascii_alphanumeric()) {
            Some(at) if n & 1 == 0 => p.path.replace_range(at..at + 1, &percent(p.path[at..].chars().next().unwrap())),
            _ => p.path = format!("{}%2F", p.path.trim_end_matches('/')),
        },
        Miss::TrailingDot => p.host.push('.'),
        Miss::Backslash => {
            let text = p.join();
            return match n % 3 {
                0 => text.replacen("://", ":\\\\", 1),
                1 => match nth_index(&p.path, n, |c| c == '/') {
                    Some(at) => {
                        p.path.replace_range(at..at + 1, "\\");
                        p.join()
                    }
                    None => format!("{text}\\"),
                },
                _ => format!("{}://{}\\@evil.example{}", p.scheme, p.authority(), p.path),
            };
        }
        Miss::EncodedHost => match nth_index(&p.host, n, |c| c.is_ascii_alphanumeric() || c == '.') {
            Some(at) => {
                let c = p.host[at..].chars().next().unwrap();
                p.host.replace_range(at..at + 1, &percent(c));
            }
            None => p.host.push_str("%2E"),
        },
        Miss::DoubleEncoding => match nth_index(&p.path, n, |c| c.is_ascii_alphanumeric() || c == '/') {
            Some(at) => {
                let c = p.path[at..].chars().next().unwrap();
                p.path.replace_range(at..at + 1, &format!("%25{:02X}", c as u32));
            }
            None => p.path = "%252F".into(),
        },
        Miss::Semicolon => p.path = format!("{};{}", p.path, if n & 1 == 0 { "x=1" } else { "jsessionid=1" }),
        Miss::Fragment => return format!("{}#{letter}", p.join()),
        Miss::Whitespace => {
            let text = p.join();
            return match n % 4 {
                0 => format!(" {text}"),
                1 => format!("{text} "),
                2 => format!("{text}\t"),
                _ => format!("{text}%20"),
            };
        }
        Miss::Scheme => p.scheme = if p.scheme == "https" { "http".into() } else { "https".into() },
        Miss::Host => {
            p.host = match n % 3 {
                0 => format!("evil.{}", p.host),
                1 => format!("{}.evil", p.host),
                _ => format!("{}{letter}", p.host),
            }
        }
        Miss::Edit => {
            let mut text: Vec<char> = uri.chars().collect();
            let at = n % text.len().max(1);
            if text.is_empty() {
                return letter.to_string();
            }
            match byte % 3 {
                0 => text[at] = if text[at] == letter { '_' } else { letter },
                1 => text.insert(at, letter),
                _ => {
                    text.remove(at);
                }
            }
            return text.into_iter().collect();
        }
    }
    p.join()
}

/// A near miss of one of the registered URIs: one to three misses in a row.
fn near_misses() -> impl Strategy<Value = (usize, String)> {
    let miss = (0..MISSES.len(), any::<usize>(), any::<u8>());
    (0..REGISTERED.len(), prop::collection::vec(miss, 1..=3))
        .prop_map(|(shape, misses)| {
            let mut uri = REGISTERED[shape].to_string();
            for (kind, n, byte) in misses {
                uri = near_miss(&uri, MISSES[kind], n, byte);
            }
            (shape, uri)
        })
        .prop_filter("must differ from every registered URI", |(_, uri)| !REGISTERED.contains(&uri.as_str()))
}

/// Near misses written out, kept from before the property test.
fn fixed_misses() -> Vec<String> {
    let registered = REGISTERED[0];
    vec![
        registered.to_uppercase(),
        registered.replace("https://app", "https://APP"),
        registered.replace("/cb", "/CB"),
        format!("{registered}/"),
        format!("{registered}/more"),
        registered.replace("/cb", "/cb/.."),
        registered.replace("/cb", "/c%62"),
        registered.replace("/cb", "/cb%2F"),
        format!("{registered}?x=1"),
        format!("{registered}?"),
        format!("{registered}#frag"),
        registered.replace("app.example", "app.example:443"),
        registered.replace("app.example", "app.example:8443"),
        registered.replace("https://", "http://"),
        registered.replace("https://", "https://user@"),
        registered.replace("https://", "https://app.example@evil."),
        registered.replace("app.example", "app.example.evil"),
        registered.replace("app.example", "evil.app.example"),
        format!(" {registered}"),
        registered.trim_end_matches("cb").to_string(),
        registered.replace("app.example", "app.example."),
        registered.replace("/cb", "\\cb"),
        registered.replace("app.example", "app%2Eexample"),
        registered.replace("/cb", "/%2563b"),
        format!("{registered};x=1"),
        String::new(),
    ]
}

#[test]
fn every_kind_of_miss_misses_every_shape() {
    for uri in REGISTERED {
        for miss in MISSES {
            for n in 0..6 {
                let missed = near_miss(uri, *miss, n, n as u8);
                assert_ne!(&missed, uri, "{miss:?} {n} left {uri} as it was");
            }
        }
    }
}

async fn server_client(app: &TestApp, email: &str) -> provision::ClientCreated {
    let uris: Vec<String> = REGISTERED.iter().map(|u| u.to_string()).collect();
    let new = NewClient { redirect_uris: &uris, homepage: Some("https://app.example"), ..NewClient::new("server-based", "My App", email) };
    provision::create_client(&app.state, &new).await.unwrap()
}

fn encoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Signs in and accepts the consent page for `redirect_uri`; returns the code.
async fn code_for(browser: &mut Browser<'_>, client_id: &str, email: &str, redirect_uri: &str) -> String {
    let path = format!("/oauth/v2/auth?scope={ALL_SCOPES}&client_id={client_id}&response_type=code&redirect_uri={}", encoded(redirect_uri));
    let (_, _, mut page) = browser.get(&path).await;
    if page.contains("name=\"password\"") {
        let csrf = browser.csrf();
        let next = input_value(&page, "next");
        browser.post("/signin", &[("email", email), ("password", "password-1"), ("csrf_token", &csrf), ("next", &next)]).await;
        page = browser.get(&path).await.2;
    }
    let org = option_values(&page)[0].clone();
    let form = [
        ("csrf_token", browser.csrf()),
        ("client_id", client_id.to_string()),
        ("redirect_uri", input_value(&page, "redirect_uri")),
        ("scope", ALL_SCOPES.to_string()),
        ("response_type", "code".to_string()),
        ("org_id", org),
        ("decision", "allow".to_string()),
    ];
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let location = browser.post("/oauth/v2/auth", &refs).await.1.unwrap();
    assert!(location.starts_with(redirect_uri), "{location}");
    query_of(&location)["code"].clone()
}

async fn near_misses_are_refused_at_the_auth_page_and_the_token_endpoint(app: TestApp) {
    let email = "pat@zylker.example";
    app.org("Zylker", email).await;
    let client = server_client(&app, email).await;
    let mut browser = Browser::new(&app);
    // One code per registered shape; near misses must not burn them.
    let mut codes = Vec::new();
    for uri in REGISTERED {
        codes.push(code_for(&mut browser, &client.client_id, email, uri).await);
    }
    let auth_refuses = |miss: String| {
        let url = format!(
            "{}/oauth/v2/auth?scope={ALL_SCOPES}&client_id={}&response_type=code&state=s&redirect_uri={}",
            app.base,
            client.client_id,
            encoded(&miss)
        );
        let http = app.http.clone();
        async move {
            let resp = http.get(url).send().await.unwrap();
            let (status, location) = (resp.status(), resp.headers().get("location").cloned());
            let page = resp.text().await.unwrap();
            (status == StatusCode::BAD_REQUEST && location.is_none() && page.contains("Invalid Redirect Uri"), status, page)
        }
    };
    let token_refuses = |code: String, miss: String| {
        let form = vec![
            ("grant_type", "authorization_code".to_string()),
            ("client_id", client.client_id.clone()),
            ("client_secret", client.client_secret.clone()),
            ("code", code),
            ("redirect_uri", miss),
        ];
        let (http, url) = (app.http.clone(), format!("{}/oauth/v2/token", app.base));
        async move { http.post(url).form(&form).send().await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };

    for miss in fixed_misses().into_iter().filter(|m| !REGISTERED.contains(&m.as_str())) {
        let (refused, status, page) = auth_refuses(miss.clone()).await;
        assert!(refused, "{miss:?} must not be redirected to: {status} {page}");
        assert_eq!(token_refuses(codes[0].clone(), miss.clone()).await, serde_json::json!({"error": "invalid_redirect_uri"}), "{miss:?}");
    }

    let handle = tokio::runtime::Handle::current();
    let config = Config { cases: 256, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let outcome = tokio::task::block_in_place(|| {
        runner.run(&near_misses(), |(shape, miss)| {
            handle.block_on(async {
                let (refused, status, _) = auth_refuses(miss.clone()).await;
                prop_assert!(refused, "/oauth/v2/auth redirected to {miss:?} ({status})");
                let answer = token_refuses(codes[shape].clone(), miss.clone()).await;
                prop_assert_eq!(answer, serde_json::json!({"error": "invalid_redirect_uri"}), "token endpoint with {:?}", miss);
                Ok::<(), TestCaseError>(())
            })
        })
    });
    if let Err(err) = outcome {
        panic!("{err}");
    }

    // Without redirect_uri, a consent-page code is refused too; with its own, each code works,
    // once: none was burned by the misses.
    let missing = [
        ("grant_type", "authorization_code"),
        ("client_id", client.client_id.as_str()),
        ("client_secret", client.client_secret.as_str()),
        ("code", codes[0].as_str()),
    ];
    assert_eq!(app.token_call(&missing).await.1, serde_json::json!({"error": "invalid_redirect_uri"}));
    for (code, uri) in codes.iter().zip(REGISTERED) {
        let answer = token_refuses(code.clone(), uri.to_string()).await;
        assert!(answer["access_token"].is_string(), "{uri}: {answer}");
    }
}

async fn a_tampered_consent_form_is_refused(app: TestApp) {
    let email = "pat@zylker.example";
    app.org("Zylker", email).await;
    let client = server_client(&app, email).await;
    let mut browser = Browser::new(&app);
    // A real consent first, so that the browser is signed in and has a CSRF token.
    code_for(&mut browser, &client.client_id, email, REGISTERED[0]).await;
    let (_, _, page) = browser
        .get(&format!("/oauth/v2/auth?scope={ALL_SCOPES}&client_id={}&response_type=code&redirect_uri={}", client.client_id, REGISTERED[0]))
        .await;
    let org = option_values(&page)[0].clone();
    let csrf = browser.csrf();
    for tampered in ["https://evil.example/cb", "https://app.example/cb/", "https://APP.example/cb", ""] {
        let form = [
            ("csrf_token", csrf.as_str()),
            ("client_id", client.client_id.as_str()),
            ("redirect_uri", tampered),
            ("scope", ALL_SCOPES),
            ("response_type", "code"),
            ("org_id", org.as_str()),
            ("decision", "allow"),
        ];
        let (status, location, page) = browser.post("/oauth/v2/auth", &form).await;
        assert_eq!((status, location), (StatusCode::BAD_REQUEST, None), "{tampered:?}");
        assert!(page.contains("Invalid Redirect Uri"), "{page}");
    }
}
