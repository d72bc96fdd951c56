//! The command line as scripts use it: the real binary, over a fresh SQLite file.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_biginbox");

struct Workdir(PathBuf);

impl Workdir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("biginbox-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn db(&self) -> String {
        format!("sqlite://{}", self.0.join("cli.db").display())
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .current_dir(&self.0)
            .env("BIGINBOX_DATABASE_URL", self.db())
            .env("BIGINBOX_LOG", "warn")
            .output()
            .unwrap()
    }

    /// Runs a `--json` command that must succeed; its standard output is only the JSON object.
    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{args:?} printed {}", String::from_utf8_lossy(&out.stdout)))
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn keys(value: &Value) -> Vec<&str> {
    value.as_object().unwrap().keys().map(String::as_str).collect()
}

#[test]
fn admin_commands_print_the_documented_json() {
    let dir = Workdir::new("admin");
    let org = dir.json(&[
        "orgs",
        "create",
        "--name",
        "Zylker",
        "--admin-email",
        "pat@zylker.example",
        "--admin-password",
        "a long secret",
        "--json",
    ]);
    assert_eq!(keys(&org), ["org_id", "zgid", "admin_user_id", "admin_email"]);
    let org_id = org["org_id"].as_str().unwrap();
    let eu = dir.json(&["orgs", "create", "--name", "Zylker EU", "--admin-email", "pat@zylker.example", "--dc", "eu", "--json"]);
    assert_ne!(eu["org_id"], org["org_id"]);

    let types: &[(&str, &[&str])] = &[
        ("self", &[]),
        ("server-based", &["--redirect-uri", "https://app.example/cb", "--homepage", "https://app.example"]),
        ("client-based", &["--redirect-uri", "https://spa.example/cb", "--js-domain", "https://spa.example"]),
        ("mobile", &["--redirect-uri", "https://m.example/cb", "--multi-dc"]),
        ("non-browser", &["--homepage", "https://tv.example"]),
    ];
    let mut clients = Vec::new();
    for (client_type, extra) in types {
        let mut args = vec!["clients", "create", "--type", client_type, "--name", "App", "--owner-email", "pat@zylker.example", "--json"];
        args.extend_from_slice(extra);
        let client = dir.json(&args);
        assert_eq!(keys(&client), ["client_id", "client_secret", "client_type"]);
        assert_eq!(client["client_type"], *client_type);
        clients.push(client);
    }
    // Every type but self needs a name; a Self Client is "Self Client".
    for client_type in ["server-based", "client-based", "mobile", "non-browser"] {
        let nameless = dir.run(&["clients", "create", "--type", client_type, "--owner-email", "pat@zylker.example"]);
        assert!(!nameless.status.success(), "{client_type} without --name");
        assert!(String::from_utf8_lossy(&nameless.stderr).contains("--name is required"), "{client_type}");
    }
    let unnamed_self = dir.json(&["clients", "create", "--type", "self", "--owner-email", "pat@zylker.example", "--json"]);
    let listed: Value = serde_json::from_slice(&dir.run(&["clients", "list", "--json"]).stdout).unwrap();
    let row = listed.as_array().unwrap().iter().find(|c| c["client_id"] == unnamed_self["client_id"]).unwrap();
    assert_eq!(row["name"], "Self Client");
    assert!(dir.run(&["clients", "delete", "--client-id", unnamed_self["client_id"].as_str().unwrap()]).status.success());
    let refused = dir.run(&["clients", "create", "--type", "plugin", "--name", "X", "--owner-email", "pat@zylker.example"]);
    assert!(!refused.status.success());
    let refused = dir.run(&["clients", "create", "--type", "server-based", "--name", "X", "--owner-email", "pat@zylker.example"]);
    assert!(!refused.status.success(), "a server-based client needs a redirect URI");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("redirect URI"));

    let listed = dir.run(&["clients", "list", "--json"]);
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 5);
    assert!(listed.as_array().unwrap().iter().any(|c| c["multi_dc"] == true));
    assert!(!String::from_utf8_lossy(&dir.run(&["clients", "list", "--json"]).stdout).contains("secret"));

    let self_id = clients[0]["client_id"].as_str().unwrap();
    for minutes in ["3", "5", "7", "10"] {
        let code = dir.json(&[
            "codes",
            "create",
            "--client-id",
            self_id,
            "--org-id",
            org_id,
            "--scope",
            "ZohoBigin.modules.ALL,ZohoBigin.org.READ",
            "--duration-minutes",
            minutes,
            "--json",
        ]);
        assert_eq!(keys(&code), ["code", "expires_in", "scope", "org_id"]);
        assert_eq!(code["expires_in"].as_i64().unwrap(), minutes.parse::<i64>().unwrap() * 60);
    }
    assert!(!dir
        .run(&[
            "codes",
            "create",
            "--client-id",
            self_id,
            "--org-id",
            org_id,
            "--scope",
            "ZohoBigin.modules.ALL",
            "--duration-minutes",
            "4"
        ])
        .status
        .success());
    let bad_scope = dir.run(&["codes", "create", "--client-id", self_id, "--org-id", org_id, "--scope", "ZohoCRM.modules.ALL"]);
    assert!(String::from_utf8_lossy(&bad_scope.stderr).contains("invalid_scope"));

    let field =
        dir.json(&["fields", "create", "--org-id", org_id, "--module", "Contacts", "--label", "Shoe size", "--type", "integer", "--json"]);
    assert_eq!(field["api_name"], "Shoe_size");
    let picklist = dir.json(&[
        "fields",
        "create",
        "--org-id",
        org_id,
        "--module",
        "Accounts",
        "--label",
        "Tier",
        "--type",
        "picklist",
        "--picklist",
        "Gold,Silver",
        "--json",
    ]);
    assert_eq!(picklist["data_type"], "picklist");
    assert!(!dir.run(&["fields", "create", "--org-id", org_id, "--module", "Leads", "--label", "X", "--type", "text"]).status.success());

    assert!(!dir.run(&["tokens", "revoke", "--token", "1000.nope.nope"]).status.success());
    assert!(dir.run(&["clients", "delete", "--client-id", self_id]).status.success());
    assert!(!dir.run(&["clients", "delete", "--client-id", self_id]).status.success());

    // The Postman export fills the environment for a Self Client, with a fresh code.
    let server_client = &clients[1];
    let out = dir.run(&[
        "postman",
        "export",
        "--out",
        "pm",
        "--client-id",
        server_client["client_id"].as_str().unwrap(),
        "--client-secret",
        server_client["client_secret"].as_str().unwrap(),
        "--public-url",
        "http://127.0.0.1:9999",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let env: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.0.join("pm/Setup Details.postman_environment.json")).unwrap()).unwrap();
    let var =
        |key: &str| env["values"].as_array().unwrap().iter().find(|v| v["key"] == key).unwrap()["value"].as_str().unwrap().to_string();
    assert_eq!(var("api-domain"), "http://127.0.0.1:9999");
    assert_eq!(var("redirect-uri"), "https://app.example/cb");
    assert_eq!(var("client-id"), server_client["client_id"].as_str().unwrap());
    assert_eq!(var("device-client-id"), "", "no device client asked for");
    // With a Non-browser client's credentials, the device-flow requests get them.
    let device = &clients[4];
    let (device_id, device_secret) = (device["client_id"].as_str().unwrap(), device["client_secret"].as_str().unwrap());
    let out = dir.run(&["postman", "export", "--out", "pm2", "--device-client-id", device_id, "--device-client-secret", device_secret]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let env: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.0.join("pm2/Setup Details.postman_environment.json")).unwrap()).unwrap();
    let var2 =
        |key: &str| env["values"].as_array().unwrap().iter().find(|v| v["key"] == key).unwrap()["value"].as_str().unwrap().to_string();
    assert_eq!((var2("device-client-id"), var2("device-client-secret")), (device_id.to_string(), device_secret.to_string()));
    let not_device = dir.run(&[
        "postman",
        "export",
        "--out",
        "pm3",
        "--device-client-id",
        server_client["client_id"].as_str().unwrap(),
        "--device-client-secret",
        "x",
    ]);
    assert!(String::from_utf8_lossy(&not_device.stderr).contains("not a Non-browser client"));
    let collection: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.0.join("pm/Bigin API.postman_collection.json")).unwrap()).unwrap();
    assert_eq!(collection["info"]["schema"], "https://schema.getpostman.com/json/collection/v2.1.0/collection.json");
}

/// A port (and the one after it, for a second data centre) for a server these tests start. Taken
/// below the kernel's ephemeral range, where every `127.0.0.1:0` of the other tests lands: a port
/// the kernel hands out could go to another test's server between this check and `serve`, and
/// `wait_healthy` would then be answered by the wrong server.
fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = 10_000 + (std::process::id() % 1_000) as u16 * 20;
    loop {
        let port = base + NEXT.fetch_add(2, Ordering::SeqCst);
        let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
        if free(port) && free(port + 1) {
            return port;
        }
    }
}

fn wait_healthy(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(mut stream) = std::net::TcpStream::connect(url.trim_start_matches("http://")) {
            use std::io::{Read, Write};
            let _ = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.contains("200 OK") && answer.ends_with("ok") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{url} never became healthy");
}

fn stop(mut child: Child) -> Output {
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn serve(dir: &Path, db: &str, args: &[&str]) -> Child {
    Command::new(BIN)
        .args(["serve"])
        .args(args)
        .current_dir(dir)
        .env("BIGINBOX_DATABASE_URL", db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn serve_demo_sets_up_an_empty_database_and_stops_gracefully() {
    let dir = Workdir::new("demo");
    let port = free_port();
    let child = serve(&dir.0, &dir.db(), &["--listen", &format!("127.0.0.1:{port}"), "--demo"]);
    wait_healthy(&format!("http://127.0.0.1:{port}"));
    let out = stop(child);
    assert!(out.status.success(), "graceful shutdown exits 0: {}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("Step 4") && printed.contains("client_id 1000."), "{printed}");
    let env: Value = serde_json::from_str(&std::fs::read_to_string(dir.0.join("Setup Details.postman_environment.json")).unwrap()).unwrap();
    let var =
        |key: &str| env["values"].as_array().unwrap().iter().find(|v| v["key"] == key).unwrap()["value"].as_str().unwrap().to_string();
    assert!(var("code").starts_with("1000."), "a fresh Self Client code");
    for key in ["client-id", "client-secret", "device-client-id", "device-client-secret"] {
        assert!(!var(key).is_empty(), "{key} is filled");
    }
    assert_ne!(var("client-id"), var("device-client-id"), "a Non-browser client of its own for the device flow");
    assert!(dir.0.join("Bigin API.postman_collection.json").exists());
    // On a database that has organizations, --demo creates nothing more.
    let child = serve(&dir.0, &dir.db(), &["--listen", &format!("127.0.0.1:{port}"), "--demo"]);
    wait_healthy(&format!("http://127.0.0.1:{port}"));
    let out = stop(child);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("demo is ready"));
}

#[test]
fn serve_hosts_several_data_centres_on_consecutive_ports() {
    let dir = Workdir::new("dcs");
    let port = free_port();
    let child = serve(&dir.0, &dir.db(), &["--listen", &format!("127.0.0.1:{port}"), "--dc", "us", "--dc", "eu"]);
    wait_healthy(&format!("http://127.0.0.1:{port}"));
    wait_healthy(&format!("http://127.0.0.1:{}", port + 1));
    let out = stop(child);
    assert!(out.status.success());
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(logs.contains("dc=eu") && logs.contains(&format!("127.0.0.1:{}", port + 1)), "{logs}");
    let bad = Command::new(BIN).args(["serve", "--dc", "mars"]).env("BIGINBOX_DATABASE_URL", dir.db()).output().unwrap();
    assert!(!bad.status.success());
}

/// One HTTP/1.1 request over a plain socket (the tests need no HTTP client): status and body.
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split(' ').nth(1).unwrap().parse().unwrap();
    (status, answer.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
}

fn token_call(addr: &str, form: &str) -> Value {
    let (status, body) = http(addr, "POST", "/oauth/v2/token", &[("Content-Type", "application/x-www-form-urlencoded")], form);
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn org_status(addr: &str, token: &str) -> (u16, String) {
    http(addr, "GET", "/bigin/v2/org", &[("Authorization", &format!("Zoho-oauthtoken {token}"))], "")
}

#[test]
fn migrate_applies_the_migrations_once() {
    let dir = Workdir::new("migrate");
    let first = dir.run(&["migrate"]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8_lossy(&first.stderr).contains("migrations applied"));
    assert!(dir.0.join("cli.db").exists(), "the SQLite file is created");
    assert!(dir.run(&["migrate"]).status.success(), "a second run finds nothing to do");
    let listed: Value = serde_json::from_slice(&dir.run(&["clients", "list", "--json"]).stdout).unwrap();
    assert_eq!(listed, serde_json::json!([]), "the schema is there");
    let bad = Command::new(BIN).args(["migrate", "--database-url", "mysql://x"]).output().unwrap();
    assert!(!bad.status.success());
}

#[test]
fn tokens_revoke_cascades_and_serve_reads_its_environment() {
    let dir = Workdir::new("revoke");
    let org = dir.json(&["orgs", "create", "--name", "Zylker", "--admin-email", "pat@zylker.example", "--json"]);
    let client = dir.json(&["clients", "create", "--type", "self", "--owner-email", "pat@zylker.example", "--json"]);
    let (id, secret) = (client["client_id"].as_str().unwrap(), client["client_secret"].as_str().unwrap());
    let code = dir.json(&[
        "codes",
        "create",
        "--client-id",
        id,
        "--org-id",
        org["org_id"].as_str().unwrap(),
        "--scope",
        "ZohoBigin.org.READ",
        "--json",
    ]);
    // BIGINBOX_LISTEN and BIGINBOX_PUBLIC_URL stand for --listen and --public-url.
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(BIN)
        .arg("serve")
        .current_dir(&dir.0)
        .env("BIGINBOX_DATABASE_URL", dir.db())
        .env("BIGINBOX_LISTEN", &addr)
        .env("BIGINBOX_PUBLIC_URL", "http://crm.zylker.example:7070")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_healthy(&format!("http://{addr}"));
    let tokens = token_call(
        &addr,
        &format!("grant_type=authorization_code&client_id={id}&client_secret={secret}&code={}", code["code"].as_str().unwrap()),
    );
    assert_eq!(tokens["api_domain"], "http://crm.zylker.example:7070", "{tokens}");
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();
    let refresh_form = format!("grant_type=refresh_token&client_id={id}&client_secret={secret}&refresh_token={refresh}");
    let minted = token_call(&addr, &refresh_form)["access_token"].as_str().unwrap().to_string();
    let first = tokens["access_token"].as_str().unwrap().to_string();
    assert_eq!(org_status(&addr, &first).0, 200);

    // Revoking an access token from another process.
    let out = dir.run(&["tokens", "revoke", "--token", &first]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("token revoked"));
    assert!(!dir.run(&["tokens", "revoke", "--token", &first]).status.success(), "once only");
    // Revoking the refresh token kills it and every access token minted from it. (The running
    // server never read `minted`, so nothing of it is cached: it is refused at once; a token it
    // had cached would be refused within the cache's 30 seconds.)
    let out = dir.run(&["tokens", "revoke", "--token", &refresh]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(token_call(&addr, &refresh_form), serde_json::json!({"error": "invalid_code"}));
    let (status, body) = org_status(&addr, &minted);
    assert_eq!(status, 401);
    assert!(body.contains("INVALID_TOKEN"), "{body}");
    assert!(!dir.run(&["tokens", "revoke", "--token", &refresh]).status.success(), "already revoked");
    let out = stop(child);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("crm.zylker.example:7070"), "the logs name the public URL");
}

/// One HTTP/1.1 request to a running `biginbox serve`; the status and the JSON body (`Null` when
/// empty). Enough for these tests, which need no HTTP client crate.
fn http_json(base: &str, method: &str, path: &str, token: Option<&str>, body: Option<(&str, String)>) -> (u16, Value) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    if let Some(token) = token {
        request.push_str(&format!("Authorization: Zoho-oauthtoken {token}\r\n"));
    }
    let (content_type, body) = body.unwrap_or(("application/json", String::new()));
    request.push_str(&format!("Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(!head.to_ascii_lowercase().contains("transfer-encoding: chunked"), "{head}");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, if body.is_empty() { Value::Null } else { serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}")) })
}

#[test]
fn fields_and_pipelines_made_by_the_cli_reach_a_running_server() {
    let dir = Workdir::new("fields");
    let org = dir.json(&[
        "orgs",
        "create",
        "--name",
        "Zylker",
        "--admin-email",
        "pat@zylker.example",
        "--admin-password",
        "a long secret",
        "--json",
    ]);
    let org_id = org["org_id"].as_str().unwrap().to_string();
    let client = dir.json(&["clients", "create", "--type", "self", "--owner-email", "pat@zylker.example", "--json"]);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let child = serve(&dir.0, &dir.db(), &["--listen", &format!("127.0.0.1:{port}")]);
    wait_healthy(&base);
    let code = dir.json(&[
        "codes",
        "create",
        "--client-id",
        client["client_id"].as_str().unwrap(),
        "--org-id",
        &org_id,
        "--scope",
        "ZohoBigin.modules.ALL,ZohoBigin.settings.ALL",
        "--json",
    ]);
    let form = format!(
        "grant_type=authorization_code&client_id={}&client_secret={}&code={}",
        client["client_id"].as_str().unwrap(),
        client["client_secret"].as_str().unwrap(),
        code["code"].as_str().unwrap()
    );
    let (_, tokens) = http_json(&base, "POST", "/oauth/v2/token", None, Some(("application/x-www-form-urlencoded", form)));
    let token = tokens["access_token"].as_str().expect("an access token").to_string();
    let token = Some(token.as_str());

    // Fields of several types, made while the server runs.
    let field = |args: &[&str]| {
        let mut all = vec!["fields", "create", "--org-id", org_id.as_str(), "--module", "Contacts", "--json"];
        all.extend_from_slice(args);
        dir.json(&all)
    };
    let badge = field(&["--label", "Badge", "--type", "text", "--length", "5", "--unique"]);
    assert_eq!(keys(&badge), ["id", "api_name", "module", "label", "data_type"]);
    assert_eq!((badge["api_name"].as_str(), badge["data_type"].as_str()), (Some("Badge"), Some("text")));
    field(&["--label", "Employer", "--type", "lookup", "--lookup-module", "Accounts"]);
    field(&["--label", "Buddy", "--type", "userlookup"]);
    field(&["--label", "Regions", "--type", "multiselectpicklist", "--picklist", "EU,US"]);
    field(&["--label", "Renewal", "--type", "date"]);
    field(&["--label", "Budget", "--type", "currency"]);
    field(&["--label", "Ticket", "--type", "bigint", "--unique"]);
    let refused: &[&[&str]] = &[
        &["--label", "Long", "--type", "text", "--length", "300"],
        &["--label", "Sized", "--type", "integer", "--length", "5"],
        &["--label", "Flag", "--type", "boolean", "--unique"],
        &["--label", "Third", "--type", "email", "--unique"],
        &["--label", "Nowhere", "--type", "lookup"],
        &["--label", "Stray", "--type", "text", "--lookup-module", "Accounts"],
        &["--label", "Empty", "--type", "picklist"],
        &["--label", "Owner2", "--type", "ownerlookup"],
    ];
    for args in refused {
        let mut all = vec!["fields", "create", "--org-id", org_id.as_str(), "--module", "Contacts"];
        all.extend_from_slice(args);
        let out = dir.run(&all);
        assert!(!out.status.success(), "{args:?} is refused");
        assert!(!out.stderr.is_empty(), "{args:?} says why");
    }
    let partners = dir.json(&[
        "pipelines",
        "create",
        "--org-id",
        &org_id,
        "--name",
        "Partners",
        "--sub-pipeline",
        "Resellers:Intro,Demo,Won,Lost",
        "--sub-pipeline",
        "Referrals:Referred,Won",
        "--json",
    ]);
    assert_eq!(keys(&partners), ["id", "name", "sub_pipelines"]);
    assert!(!dir.run(&["pipelines", "create", "--org-id", &org_id, "--name", "PARTNERS", "--sub-pipeline", "A:B"]).status.success());

    // The running server has them in its metadata and in records.
    let (status, fields) = http_json(&base, "GET", "/bigin/v2/settings/fields?module=Contacts", token, None);
    assert_eq!(status, 200);
    let by_name = |name: &str| {
        fields["fields"].as_array().unwrap().iter().find(|f| f["api_name"] == name).cloned().unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!(
        (by_name("Badge")["length"].as_u64(), &by_name("Badge")["unique"]),
        (Some(5), &serde_json::json!({"casesensitive": "false"}))
    );
    assert_eq!(by_name("Employer")["lookup"]["module"]["api_name"], "Accounts");
    assert_eq!(by_name("Buddy")["data_type"], "userlookup");
    assert_eq!(by_name("Regions")["pick_list_values"].as_array().unwrap().len(), 2);
    assert_eq!(by_name("Ticket")["data_type"], "bigint");
    assert!(fields["fields"].as_array().unwrap().iter().all(|f| f["api_name"] != "Third" && f["api_name"] != "Long"));
    let (_, layouts) = http_json(&base, "GET", "/bigin/v2/settings/layouts?module=Pipelines", token, None);
    assert_eq!(layouts["layouts"][1]["id"], partners["id"]);
    let post = |module: &str, record: Value| {
        http_json(
            &base,
            "POST",
            &format!("/bigin/v2/{module}"),
            token,
            Some(("application/json", serde_json::json!({"data": [record]}).to_string())),
        )
    };
    let (_, account) = post("Accounts", serde_json::json!({"Account_Name": "Zylker Inc"}));
    let account = account["data"][0]["details"]["id"].as_str().unwrap().to_string();
    let contact = serde_json::json!({"Last_Name": "Watson", "Badge": "B-1", "Employer": {"id": account}, "Buddy": {"id": org["admin_user_id"]},
                                     "Regions": ["EU"], "Renewal": "2026-03-01", "Budget": 12.5, "Ticket": "9007199254740993"});
    let (status, created) = post("Contacts", contact);
    assert_eq!(status, 201, "{created}");
    let id = created["data"][0]["details"]["id"].as_str().unwrap();
    let (_, read) = http_json(&base, "GET", &format!("/bigin/v2/Contacts/{id}?fields=Badge,Employer,Regions,Ticket"), token, None);
    assert_eq!(read["data"][0]["Employer"], serde_json::json!({"name": "Zylker Inc", "id": account}));
    assert_eq!((read["data"][0]["Badge"].as_str(), read["data"][0]["Ticket"].as_i64()), (Some("B-1"), Some(9007199254740993)));
    let (status, body) = post("Contacts", serde_json::json!({"Last_Name": "Twin", "Badge": "b-1"}));
    assert_eq!((status, body["data"][0]["code"].as_str()), (400, Some("DUPLICATE_DATA")));
    let (status, body) = post("Contacts", serde_json::json!({"Last_Name": "Long", "Badge": "B-1234"}));
    assert_eq!((status, body["data"][0]["details"]["api_name"].as_str()), (400, Some("Badge")));
    let deal = serde_json::json!({"Deal_Name": "D", "Layout": {"id": partners["id"]}, "Sub_Pipeline": "Referrals", "Stage": "Referred"});
    assert_eq!(post("Pipelines", deal).0, 201);
    assert!(stop(child).status.success());
}

#[test]
fn seed_is_deterministic_and_its_lookups_exist() {
    let dir = Workdir::new("seed");
    let org = dir.json(&["orgs", "create", "--name", "Zylker", "--admin-email", "pat@zylker.example", "--json"]);
    let org_id = org["org_id"].as_str().unwrap().to_string();
    let seed = |module: &str, count: &str, seed: &str, start: &str| {
        dir.json(&["seed", "--org-id", &org_id, "--module", module, "--count", count, "--seed", seed, "--start", start, "--json"])
    };
    let written = |report: &Value| (report["written"].as_u64().unwrap(), report["skipped"].as_u64().unwrap());
    assert_eq!(written(&seed("Accounts", "30", "5", "0")), (30, 0));
    assert_eq!(written(&seed("Contacts", "400", "5", "0")), (400, 0));
    // The same seed makes the same records again: every e-mail is taken, nothing is written.
    assert_eq!(written(&seed("Contacts", "400", "5", "0")), (0, 400));
    // Another seed makes other people; --start grows the same seed without repeating it.
    assert_eq!(written(&seed("Contacts", "400", "6", "0")), (400, 0));
    assert_eq!(written(&seed("Contacts", "100", "5", "400")), (100, 0));
    assert_eq!(written(&seed("Pipelines", "50", "5", "0")), (50, 0));
    let refused = dir.run(&["seed", "--org-id", &org_id, "--module", "Notes", "--count", "1"]);
    assert!(!refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("not Notes"));

    // A running server finds them, and every lookup names one of the organization's records.
    let client = dir.json(&["clients", "create", "--type", "self", "--owner-email", "pat@zylker.example", "--json"]);
    let code = dir.json(&[
        "codes",
        "create",
        "--client-id",
        client["client_id"].as_str().unwrap(),
        "--org-id",
        &org_id,
        "--scope",
        "ZohoBigin.modules.ALL,ZohoBigin.coql.READ",
        "--json",
    ]);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let child = serve(&dir.0, &dir.db(), &["--listen", &format!("127.0.0.1:{port}")]);
    wait_healthy(&base);
    let form = format!(
        "grant_type=authorization_code&client_id={}&client_secret={}&code={}",
        client["client_id"].as_str().unwrap(),
        client["client_secret"].as_str().unwrap(),
        code["code"].as_str().unwrap()
    );
    let (_, tokens) = http_json(&base, "POST", "/oauth/v2/token", None, Some(("application/x-www-form-urlencoded", form)));
    let token = tokens["access_token"].as_str().expect("an access token").to_string();
    let (_, count) = http_json(&base, "GET", "/bigin/v2/Contacts/actions/count", Some(&token), None);
    assert_eq!(count, serde_json::json!({"count": 900}));
    let coql = |query: &str| {
        let body = serde_json::json!({ "select_query": query }).to_string();
        http_json(&base, "POST", "/bigin/v2/coql", Some(&token), Some(("application/json", body)))
    };
    let (status, rows) = coql("select Email, Account_Name.Account_Name from Contacts where Account_Name is not null limit 200");
    assert_eq!(status, 200, "{rows}");
    let rows = rows["data"].as_array().unwrap();
    assert_eq!(rows.len(), 200);
    for row in rows {
        let company = row["Account_Name.Account_Name"].as_str().unwrap_or_else(|| panic!("{row} names no account"));
        // The e-mail is at the company's domain.
        let slug: String = company.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
        assert!(row["Email"].as_str().unwrap().ends_with(&format!("@{slug}.example")), "{row}");
    }
    let (_, deals) = coql("select Stage, Account_Name.Account_Name, Contact_Name.Last_Name from Pipelines where id is not null limit 50");
    for deal in deals["data"].as_array().unwrap() {
        assert!(deal["Account_Name.Account_Name"].is_string() && deal["Contact_Name.Last_Name"].is_string(), "{deal}");
    }
    assert!(stop(child).status.success());
}
