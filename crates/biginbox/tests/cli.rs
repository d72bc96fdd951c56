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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
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
