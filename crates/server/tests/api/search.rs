//! Search (`/{module}/search`), COQL and count with search selectors: accepted and refused
//! queries, a differential test against a brute-force filter over the records the test made,
//! organization isolation, scopes, and query plans that read indexes, not whole modules.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(
    search_selectors_paging_and_204,
    search_refusals_name_the_offending_part,
    search_needs_secure_search_scope,
    coql_answers_rows_with_info_and_traversals,
    coql_refusals_point_at_the_problem,
    coql_needs_its_scope_and_the_modules,
    results_match_a_brute_force_filter,
    organizations_never_see_each_others_matches,
    coql_traversals_never_cross_organizations,
    query_plans_read_indexes,
    custom_fields_are_searched_and_queried_like_default_ones,
);

fn scopes() -> String {
    format!("{ALL_SCOPES},ZohoSearch.securesearch.READ,ZohoBigin.coql.READ")
}

fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn ids(body: &Value) -> Vec<String> {
    body["data"].as_array().map(|a| a.iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()).unwrap_or_default()
}

async fn search_selectors_paging_and_204(app: TestApp) {
    let t = app.tenant("Zylker", &scopes()).await;
    let tok = &t.access_token;
    let ted = app
        .create(
            tok,
            "Contacts",
            json!({"First_Name": "Ted", "Last_Name": "Watson", "Email": "Ted.Watson@Zylker.example", "Phone": "+1 555-0100"}),
        )
        .await;
    let ann = app
        .create(
            tok,
            "Contacts",
            json!({"First_Name": "Ann", "Last_Name": "O'Brien (Jr)", "Email": "ann@zylker.example", "Mobile": "555-0199"}),
        )
        .await;
    let (status, body) = app.get(&format!("/bigin/v2/Contacts/search?criteria={}", enc("(Last_Name:equals:WATSON)")), tok).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body), std::slice::from_ref(&ted));
    assert_eq!(body["data"][0]["Email"], "Ted.Watson@Zylker.example");
    assert_eq!(body["info"], json!({"per_page": 200, "count": 1, "page": 1, "more_records": false}));
    // Escaped parentheses in a value.
    let (_, body) = app.get(&format!("/bigin/v2/Contacts/search?criteria={}", enc(r"(Last_Name:equals:O'Brien \(Jr\))")), tok).await;
    assert_eq!(ids(&body), std::slice::from_ref(&ann));
    let (_, body) = app.get("/bigin/v2/Contacts/search?email=ANN%40zylker.example", tok).await;
    assert_eq!(ids(&body), std::slice::from_ref(&ann));
    let (_, body) = app.get("/bigin/v2/Contacts/search?phone=555", tok).await;
    assert_eq!(ids(&body), std::slice::from_ref(&ann));
    let (_, body) = app.get("/bigin/v2/Contacts/search?phone=%2B1%20555", tok).await;
    assert_eq!(ids(&body), std::slice::from_ref(&ted));
    let (_, body) = app.get("/bigin/v2/Contacts/search?word=zylk", tok).await;
    assert_eq!(ids(&body), [ted.clone(), ann.clone()]);
    let (_, body) = app.get("/bigin/v2/Contacts/search?word=brien%20ann&fields=Last_Name", tok).await;
    assert_eq!(body["data"], json!([{"Last_Name": "O'Brien (Jr)", "id": ann}]));
    // Paging: one record a page.
    let (_, body) = app.get("/bigin/v2/Contacts/search?word=zylker&per_page=1&page=2", tok).await;
    assert_eq!(ids(&body), std::slice::from_ref(&ann));
    assert_eq!(body["info"]["more_records"], false);
    let (_, body) = app.get("/bigin/v2/Contacts/search?word=zylker&per_page=1", tok).await;
    assert_eq!(body["info"]["more_records"], true);
    // Several selectors: one is used, by Zoho's documented precedence criteria, email, phone,
    // word (each pair below would find the other contact with the losing selector).
    let (_, body) = app.get(&format!("/bigin/v2/Contacts/search?word=ann&criteria={}", enc("(First_Name:equals:ted)")), tok).await;
    assert_eq!(ids(&body), std::slice::from_ref(&ted));
    let (_, body) =
        app.get(&format!("/bigin/v2/Contacts/search?email=ann%40zylker.example&criteria={}", enc("(First_Name:equals:ted)")), tok).await;
    assert_eq!(ids(&body), std::slice::from_ref(&ted));
    let (_, body) = app.get("/bigin/v2/Contacts/search?phone=555&email=ted.watson%40zylker.example", tok).await;
    assert_eq!(ids(&body), std::slice::from_ref(&ted));
    let (_, body) = app.get("/bigin/v2/Contacts/search?word=ann&phone=%2B1%20555", tok).await;
    assert_eq!(ids(&body), std::slice::from_ref(&ted));
    let (_, body) = app.get("/bigin/v2/Contacts/search?email=ted.watson%40zylker.example&word=ann", tok).await;
    assert_eq!(ids(&body), std::slice::from_ref(&ted));
    let (_, body) = app.get("/bigin/v2/Contacts/actions/count?word=zylker&phone=555", tok).await;
    assert_eq!(body, json!({"count": 1}));
    // An empty selector counts as absent: the next one is used.
    let (_, body) = app.get("/bigin/v2/Contacts/search?criteria=&email=&phone=555", tok).await;
    assert_eq!(ids(&body), std::slice::from_ref(&ann));
    // Nothing matches: 204 and no body.
    let (status, body) = app.get("/bigin/v2/Contacts/search?email=nobody%40x.example", tok).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    // A deleted record is not found any more.
    app.delete(&format!("/bigin/v2/Contacts/{ted}"), tok).await;
    let (status, _) = app.get("/bigin/v2/Contacts/search?word=watson", tok).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // An update changes what the record is found by.
    app.put(&format!("/bigin/v2/Contacts/{ann}"), tok, &json!({"data": [{"Last_Name": "Moreau"}]})).await;
    let (_, body) = app.get("/bigin/v2/Contacts/search?word=moreau", tok).await;
    assert_eq!(ids(&body), std::slice::from_ref(&ann));
    let (status, _) = app.get("/bigin/v2/Contacts/search?word=brien", tok).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Count takes the same selectors.
    let (_, body) = app.get("/bigin/v2/Contacts/actions/count?word=moreau", tok).await;
    assert_eq!(body, json!({"count": 1}));
    let (_, body) = app.get(&format!("/bigin/v2/Contacts/actions/count?criteria={}", enc("(Last_Name:starts_with:x)")), tok).await;
    assert_eq!(body, json!({"count": 0}));
}

async fn search_refusals_name_the_offending_part(app: TestApp) {
    let t = app.tenant("Zylker", &scopes()).await;
    let tok = &t.access_token;
    let cases: Vec<(String, StatusCode, Value)> = vec![
        (
            "/bigin/v2/Contacts/search".into(),
            StatusCode::BAD_REQUEST,
            json!({"code": "REQUIRED_PARAM_MISSING", "details": {"param": "criteria"}, "message": "One of the expected parameter is missing", "status": "error"}),
        ),
        (
            format!("/bigin/v2/Contacts/search?criteria={}", enc("(Last_Name:greater_than:a)")),
            StatusCode::BAD_REQUEST,
            json!({"code": "INVALID_QUERY", "details": {"reason": "the operator is not supported for the field's data type", "api_name": "Last_Name", "operator": "greater_than", "data_type": "text"}, "message": "invalid query formed", "status": "error"}),
        ),
        (
            format!("/bigin/v2/Contacts/search?criteria={}", enc("(Shoe:equals:9)")),
            StatusCode::BAD_REQUEST,
            json!({"code": "INVALID_QUERY", "details": {"reason": "the field is not available for search", "api_name": "Shoe"}, "message": "invalid query formed", "status": "error"}),
        ),
        (
            format!("/bigin/v2/Contacts/search?criteria={}", enc("((Last_Name:equals:a)and(Last_Name:equals:b")),
            StatusCode::BAD_REQUEST,
            json!({"code": "INVALID_QUERY", "details": {"reason": "expected ) to close the condition", "near": "end of criteria"}, "message": "invalid query formed", "status": "error"}),
        ),
        (
            format!(
                "/bigin/v2/Contacts/search?criteria={}",
                enc(&format!("({})", (0..11).map(|i| format!("(Last_Name:equals:{i})")).collect::<Vec<_>>().join("or")))
            ),
            StatusCode::BAD_REQUEST,
            json!({"code": "LIMIT_EXCEEDED", "details": {"param": "criteria", "limit": 10}, "message": "the limit has been exceeded", "status": "error"}),
        ),
        (
            "/bigin/v2/Contacts/search?word=a".into(),
            StatusCode::BAD_REQUEST,
            json!({"code": "INVALID_QUERY", "details": {"reason": "the word must have at least 2 letters or digits", "param": "word", "value": "a"}, "message": "invalid query formed", "status": "error"}),
        ),
        (
            "/bigin/v2/Contacts/search?word=ab&per_page=201".into(),
            StatusCode::BAD_REQUEST,
            json!({"code": "LIMIT_EXCEEDED", "details": {"param": "per_page", "limit": 200}, "message": "the limit has been exceeded", "status": "error"}),
        ),
        (
            "/bigin/v2/Leads/search?word=ab".into(),
            StatusCode::BAD_REQUEST,
            json!({"code": "INVALID_MODULE", "details": {}, "message": "the module name given seems to be invalid", "status": "error"}),
        ),
        (
            format!("/bigin/v2/Contacts/actions/count?criteria={}", enc("(Email_Opt_Out:equals:maybe)")),
            StatusCode::BAD_REQUEST,
            json!({"code": "INVALID_QUERY", "details": {"reason": "the value does not fit the field's data type", "api_name": "Email_Opt_Out", "value": "maybe", "expected_data_type": "boolean"}, "message": "invalid query formed", "status": "error"}),
        ),
    ];
    for (path, status, expected) in cases {
        let (got_status, body) = app.get(&path, tok).await;
        assert_eq!((got_status, &body), (status, &expected), "{path}");
    }
}

async fn search_needs_secure_search_scope(app: TestApp) {
    let without = app.tenant("Zylker", ALL_SCOPES).await;
    let (status, body) = app.get("/bigin/v2/Contacts/search?word=ab", &without.access_token).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("OAUTH_SCOPE_MISMATCH")));
    let code = app.self_code(&without.client, &without.org.org_id, "ZohoBigin.modules.accounts.READ,ZohoSearch.securesearch.READ").await;
    let accounts_only = app.exchange(&without.client, &code).await["access_token"].as_str().unwrap().to_string();
    let (status, _) = app.get("/bigin/v2/Contacts/search?word=ab", &accounts_only).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.get("/bigin/v2/Accounts/search?word=ab", &accounts_only).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

async fn coql_answers_rows_with_info_and_traversals(app: TestApp) {
    let t = app.tenant("Zylker", &scopes()).await;
    let tok = &t.access_token;
    let acme = app.create(tok, "Accounts", json!({"Account_Name": "Acme"})).await;
    let mut made = Vec::new();
    for (i, last) in ["Watson", "Waters", "Smith"].iter().enumerate() {
        let id = app
            .create(
                tok,
                "Contacts",
                json!({"Last_Name": last, "First_Name": format!("P{i}"), "Account_Name": {"id": acme}, "Email_Opt_Out": i == 1}),
            )
            .await;
        made.push(id);
    }
    let query = "SELECT Last_Name, Account_Name, Account_Name.Account_Name, Owner, Email_Opt_Out FROM Contacts WHERE Last_Name LIKE 'wat%' ORDER BY Last_Name ASC LIMIT 1";
    let (status, body) = app.post("/bigin/v2/coql", tok, &json!({"select_query": query})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"data": [{"Last_Name": "Waters", "Account_Name": {"id": acme}, "Account_Name.Account_Name": "Acme", "Owner": {"id": t.org.admin_user_id}, "Email_Opt_Out": true, "id": made[1]}],
               "info": {"count": 1, "more_records": true}})
    );
    let (_, body) = app
        .post(
            "/bigin/v2/coql",
            tok,
            &json!({"select_query": "select Last_Name from Contacts where Last_Name like 'wat%' order by Last_Name limit 1 offset 1"}),
        )
        .await;
    assert_eq!(ids(&body), [made[0].clone()]);
    assert_eq!(body["info"], json!({"count": 1, "more_records": false}));
    // Default order: id ascending.
    let (_, body) = app
        .post("/bigin/v2/coql", tok, &json!({"select_query": "select Last_Name from Contacts where Account_Name.Account_Name = 'ACME'"}))
        .await;
    assert_eq!(ids(&body), made);
    let (status, body) =
        app.post("/bigin/v2/coql", tok, &json!({"select_query": "select Last_Name from Contacts where Last_Name = 'nobody'"})).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
}

async fn coql_refusals_point_at_the_problem(app: TestApp) {
    let t = app.tenant("Zylker", &scopes()).await;
    let tok = &t.access_token;
    let cases = [
        (
            json!({"select_query": "select Last_Name Contacts"}),
            json!({"code": "SYNTAX_ERROR", "details": {"line": 1, "column": 18, "near": "Contacts"}, "message": "error occurred while parsing the query: expected from near 'Contacts' at line 1, column 18", "status": "error"}),
        ),
        (
            json!({"select_query": "select Last_Name from Contacts where id is not null limit 500"}),
            json!({"code": "LIMIT_EXCEEDED", "details": {"clause": "limit", "limit": 200}, "message": "limit can be at most 200", "status": "error"}),
        ),
        (
            json!({"select_query": "select Last_Name from Contacts where id is not null limit 200 offset 9900"}),
            json!({"code": "LIMIT_EXCEEDED", "details": {"clause": "offset", "limit": 10000}, "message": "offset and limit together can reach at most 10000 records", "status": "error"}),
        ),
        (
            json!({"select_query": "select Last_Name from Contacts where Last_Name > 'a'"}),
            json!({"code": "INVALID_QUERY", "details": {"reason": "invalid operator found", "column_name": "Last_Name", "operator": ">"}, "message": "invalid query formed", "status": "error"}),
        ),
        (
            json!({"select_query": "select Shoe from Contacts where id is not null"}),
            json!({"code": "INVALID_QUERY", "details": {"reason": "column given seems to be invalid", "column_name": "Shoe"}, "message": "invalid query formed", "status": "error"}),
        ),
        (
            json!({"select_query": "select Last_Name from Leads where id is not null"}),
            json!({"code": "INVALID_QUERY", "details": {"reason": "the module name given seems to be invalid", "module": "Leads"}, "message": "invalid query formed", "status": "error"}),
        ),
        (
            json!({"query": "select Last_Name from Contacts"}),
            json!({"code": "REQUIRED_PARAM_MISSING", "details": {"param": "select_query"}, "message": "One of the expected parameter is missing", "status": "error"}),
        ),
        (
            json!({"select_query": "select Last_Name from Contacts order by Last_Name"}),
            json!({"code": "SYNTAX_ERROR", "details": {"clause": "where"}, "message": "missing clause", "status": "error"}),
        ),
        (
            json!({"select_query": "select id from Contacts where Last_Name = 'a' and First_Name = 'b' and Email = 'c'"}),
            json!({"code": "SYNTAX_ERROR", "details": {"line": 1, "column": 68, "near": "and"}, "message": "error occurred while parsing the query: expected parentheses around each pair of conditions, as in ((A and B) and C) near 'and' at line 1, column 68", "status": "error"}),
        ),
        (
            json!({"select_query": "select COUNT(id) from Contacts where id is not null"}),
            json!({"code": "SYNTAX_ERROR", "details": {"line": 1, "column": 8, "near": "COUNT"}, "message": "error occurred while parsing the query: expected a field name (aggregate functions are not supported) near 'COUNT' at line 1, column 8", "status": "error"}),
        ),
        (
            json!({"select_query": format!("select id from Contacts where Last_Name in ({})", (0..51).map(|i| format!("'n{i}'")).collect::<Vec<_>>().join(","))}),
            json!({"code": "LIMIT_EXCEEDED", "details": {"clause": "where", "column_name": "Last_Name", "operator": "in", "limit": 50}, "message": "in takes at most 50 values", "status": "error"}),
        ),
        (
            json!({"select_query": "select Owner.email from Contacts where id is not null"}),
            json!({"code": "INVALID_QUERY", "details": {"reason": "column given seems to be invalid", "column_name": "Owner.email"}, "message": "invalid query formed", "status": "error"}),
        ),
        (
            json!({"select_query": "select Last_Name from Contacts where Description = 'x'"}),
            json!({"code": "INVALID_QUERY", "details": {"reason": "the column cannot be used in where or order by", "column_name": "Description"}, "message": "invalid query formed", "status": "error"}),
        ),
    ];
    for (body, expected) in cases {
        let (status, got) = app.post("/bigin/v2/coql", tok, &body).await;
        assert_eq!((status, &got), (StatusCode::BAD_REQUEST, &expected), "{body}");
    }
}

async fn coql_needs_its_scope_and_the_modules(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let body = json!({"select_query": "select Last_Name from Contacts where id is not null"});
    let (status, got) = app.post("/bigin/v2/coql", &t.access_token, &body).await;
    assert_eq!((status, got["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("OAUTH_SCOPE_MISMATCH")));
    let code = app.self_code(&t.client, &t.org.org_id, "ZohoBigin.coql.READ,ZohoBigin.modules.accounts.READ").await;
    let token = app.exchange(&t.client, &code).await["access_token"].as_str().unwrap().to_string();
    // The query's module decides; before the scope passes nothing else about the query is said.
    let (status, got) = app.post("/bigin/v2/coql", &token, &json!({"select_query": "select Nope from Contacts where Nope = 1"})).await;
    assert_eq!((status, got["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("OAUTH_SCOPE_MISMATCH")));
    let (status, _) =
        app.post("/bigin/v2/coql", &token, &json!({"select_query": "select Account_Name from accounts where id is not null"})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

/// A small deterministic generator (no extra dependency for the tests).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

fn text(r: &Value, key: &str) -> Option<String> {
    r.get(key).and_then(Value::as_str).map(str::to_string)
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// The words of a contact's text fields, as `word` search should see them.
fn words(r: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for key in ["First_Name", "Last_Name", "Email", "Phone", "Mobile", "Mailing_City", "Title"] {
        if let Some(v) = text(r, key) {
            for w in v.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
                out.insert(w.to_lowercase());
            }
        }
    }
    out
}

type Pred = Box<dyn Fn(&Value) -> bool>;
/// How a COQL case orders its expected rows, when it orders them.
type Order = Option<Box<dyn Fn(&Value, &Value) -> std::cmp::Ordering>>;

/// How a datetime case compares a record's second with the query's.
type SecondsCmp = fn(i64, i64) -> bool;

/// A condition of the differential test in both languages (`criteria` is `None` where search
/// has no such operator), with the brute-force predicate it must agree with.
struct Case {
    criteria: Option<String>,
    coql: String,
    pred: Pred,
}

impl Case {
    fn new(criteria: Option<String>, coql: String, pred: impl Fn(&Value) -> bool + 'static) -> Self {
        Self { criteria, coql, pred: Box::new(pred) }
    }
}

/// A COQL string literal.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// A datetime custom field's value as the brute force compares it: seconds since the epoch.
fn met(r: &Value) -> Option<i64> {
    r.get("Met").and_then(Value::as_str).and_then(crm::time_fmt::parse).map(|ms| ms / 1000)
}

fn regions(r: &Value) -> Option<Vec<String>> {
    r.get("Regions").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(lower).collect())
}

const FIRSTS: &[&str] = &["Ted", "Ann", "Émile", "Zoë", "bob", "Anna"];
const LASTS: &[&str] = &["Watson", "Waters", "watts", "O'Brien", "Smith", "Smithers", "WATSON"];
const CITIES: &[&str] = &["Austin", "Boston", "austin", "Zürich"];
const REGIONS: &[&str] = &["EU", "US", "APAC"];
const OFFSETS: &[&str] = &["+00:00", "+05:30", "-08:00"];

/// A datetime in January 2026 to the second, written with one of several offsets.
fn random_datetime(rng: &mut Lcg) -> String {
    let offset = OFFSETS[rng.next(OFFSETS.len())];
    format!("2026-01-{:02}T{:02}:{:02}:{:02}{offset}", rng.next(28) + 1, rng.next(24), rng.next(60), rng.next(60))
}

/// One random condition over the contacts fixture, in both languages where search has it.
fn random_leaf(rng: &mut Lcg, accounts: &[String], mets: &[String]) -> Case {
    let text_field = ["First_Name", "Last_Name", "Mailing_City"][rng.next(3)];
    let pool: &[&str] = match text_field {
        "First_Name" => FIRSTS,
        "Last_Name" => LASTS,
        _ => CITIES,
    };
    let field = text_field.to_string();
    let get = move |r: &Value, f: &str| text(r, f).map(|v| lower(&v));
    let word = pool[rng.next(pool.len())].to_string();
    let folded = lower(&word);
    match rng.next(12) {
        0 => {
            let f = field.clone();
            Case::new(Some(format!("({field}:equals:{word})")), format!("{field} = {}", quoted(&word)), move |r| {
                get(r, &f).as_deref() == Some(folded.as_str())
            })
        }
        1 => {
            let f = field.clone();
            Case::new(Some(format!("({field}:not_equal:{word})")), format!("{field} != {}", quoted(&word)), move |r| {
                get(r, &f).is_some_and(|v| v != folded)
            })
        }
        2 => {
            let prefix: String = word.chars().take(1 + rng.next(3)).collect();
            let (f, p) = (field.clone(), lower(&prefix));
            let pred = move |r: &Value| get(r, &f).is_some_and(|v| v.starts_with(p.as_str()));
            Case::new(Some(format!("({field}:starts_with:{prefix})")), format!("{field} like {}", quoted(&format!("{prefix}%"))), pred)
        }
        3 => {
            let other = pool[rng.next(pool.len())].to_string();
            let (f, set) = (field.clone(), [lower(&word), lower(&other)]);
            let list = format!("({}, {})", quoted(&word), quoted(&other));
            if rng.next(2) == 0 {
                return Case::new(None, format!("{field} not in {list}"), move |r| get(r, &f).is_some_and(|v| !set.contains(&v)));
            }
            Case::new(Some(format!("({field}:in:{word},{other})")), format!("{field} in {list}"), move |r| {
                get(r, &f).is_some_and(|v| set.contains(&v))
            })
        }
        4 => {
            // like with the wildcard at the start, at both ends, or not at all (COQL only).
            let cut: String = folded.chars().skip(1).take(2).collect();
            let (pattern, negated) = ([format!("%{cut}"), format!("%{cut}%")][rng.next(2)].clone(), rng.next(2) == 0);
            let (f, p) = (field.clone(), pattern.clone());
            let coql = format!("{field} {}like {}", if negated { "not " } else { "" }, quoted(&pattern));
            Case::new(None, coql, move |r| get(r, &f).is_some_and(|v| crm::query::like_matches(&p, &v) != negated))
        }
        5 => {
            let f = field.clone();
            let is_null = rng.next(2) == 0;
            let coql = format!("{field} is {}null", if is_null { "" } else { "not " });
            Case::new(None, coql, move |r| get(r, &f).is_none() == is_null)
        }
        6 => {
            // Booleans: a missing value counts as false.
            let (value, negated) = (rng.next(2) == 0, rng.next(2) == 0);
            let op = if negated { "not_equal" } else { "equals" };
            let pred = move |r: &Value| (r["Email_Opt_Out"] == json!(true)) == (value != negated);
            Case::new(
                Some(format!("(Email_Opt_Out:{op}:{value})")),
                format!("Email_Opt_Out {} {value}", if negated { "!=" } else { "=" }),
                pred,
            )
        }
        7 => {
            let (lo, hi) = (rng.next(60) as i64, rng.next(60) as i64 + 40);
            let score = |r: &Value| r["Score"].as_i64();
            match rng.next(6) {
                0 => Case::new(Some(format!("(Score:greater_than:{lo})")), format!("Score > {lo}"), move |r| {
                    score(r).is_some_and(|s| s > lo)
                }),
                1 => Case::new(Some(format!("(Score:greater_equal:{lo})")), format!("Score >= {lo}"), move |r| {
                    score(r).is_some_and(|s| s >= lo)
                }),
                2 => Case::new(Some(format!("(Score:less_than:{hi})")), format!("Score < {hi}"), move |r| score(r).is_some_and(|s| s < hi)),
                3 => Case::new(Some(format!("(Score:less_equal:{hi})")), format!("Score <= {hi}"), move |r| {
                    score(r).is_some_and(|s| s <= hi)
                }),
                4 => Case::new(Some(format!("(Score:between:{lo},{hi})")), format!("Score between {lo} and {hi}"), move |r| {
                    score(r).is_some_and(|s| (lo..=hi).contains(&s))
                }),
                _ => {
                    Case::new(None, format!("Score not between {lo} and {hi}"), move |r| score(r).is_some_and(|s| !(lo..=hi).contains(&s)))
                }
            }
        }
        8 => {
            // Datetimes, compared by the second, often at a value a record has.
            let at = if rng.next(2) == 0 && !mets.is_empty() { mets[rng.next(mets.len())].clone() } else { random_datetime(rng) };
            let secs = crm::time_fmt::parse(&at).unwrap() / 1000;
            let ops: [(&str, &str, SecondsCmp); 6] = [
                ("equals", "=", |a, b| a == b),
                ("not_equal", "!=", |a, b| a != b),
                ("greater_than", ">", |a, b| a > b),
                ("greater_equal", ">=", |a, b| a >= b),
                ("less_than", "<", |a, b| a < b),
                ("less_equal", "<=", |a, b| a <= b),
            ];
            let (word, sym, cmp) = ops[rng.next(ops.len())];
            Case::new(Some(format!("(Met:{word}:{at})")), format!("Met {sym} {}", quoted(&at)), move |r| {
                met(r).is_some_and(|m| cmp(m, secs))
            })
        }
        9 => {
            let (a, b) = (random_datetime(rng), random_datetime(rng));
            let (x, y) = (crm::time_fmt::parse(&a).unwrap() / 1000, crm::time_fmt::parse(&b).unwrap() / 1000);
            let (lo, hi, lo_text, hi_text) = if x <= y { (x, y, a, b) } else { (y, x, b, a) };
            Case::new(
                Some(format!("(Met:between:{lo_text},{hi_text})")),
                format!("Met between {} and {}", quoted(&lo_text), quoted(&hi_text)),
                move |r| met(r).is_some_and(|m| (lo..=hi).contains(&m)),
            )
        }
        10 => {
            // Multi-select picklists: `=` holds the value, `!=` has values but not this one.
            let region = REGIONS[rng.next(REGIONS.len())];
            let r_lower = lower(region);
            match rng.next(4) {
                0 => Case::new(Some(format!("(Regions:equals:{region})")), format!("Regions = {}", quoted(region)), move |r| {
                    regions(r).is_some_and(|v| v.contains(&r_lower))
                }),
                1 => Case::new(Some(format!("(Regions:not_equal:{region})")), format!("Regions != {}", quoted(region)), move |r| {
                    regions(r).is_some_and(|v| !v.contains(&r_lower))
                }),
                2 => {
                    let other = lower(REGIONS[rng.next(REGIONS.len())]);
                    let coql = format!("Regions in ({}, {})", quoted(region), quoted(&other));
                    let criteria = format!("(Regions:in:{region},{other})");
                    Case::new(Some(criteria), coql, move |r| regions(r).is_some_and(|v| v.contains(&r_lower) || v.contains(&other)))
                }
                _ => Case::new(None, format!("Regions not in ({})", quoted(region)), move |r| {
                    regions(r).is_some_and(|v| !v.contains(&r_lower))
                }),
            }
        }
        _ => {
            let account = accounts[rng.next(accounts.len())].clone();
            let negated = rng.next(2) == 0;
            let op = if negated { "not_equal" } else { "equals" };
            let coql = format!("Account_Name {} {}", if negated { "!=" } else { "=" }, quoted(&account));
            Case::new(Some(format!("(Account_Name:{op}:{account})")), coql, move |r| {
                r["Account_Name"]["id"].as_str().is_some_and(|id| (id == account) != negated)
            })
        }
    }
}

/// A random tree of up to four conditions: pairs joined by `and` or `or`, written as both
/// languages group them.
fn random_case(rng: &mut Lcg, depth: usize, accounts: &[String], mets: &[String]) -> Case {
    if depth >= 2 || rng.next(3) == 0 {
        return random_leaf(rng, accounts, mets);
    }
    let (a, b) = (random_case(rng, depth + 1, accounts, mets), random_case(rng, depth + 1, accounts, mets));
    let is_and = rng.next(2) == 0;
    let word = if is_and { "and" } else { "or" };
    let criteria = match (&a.criteria, &b.criteria) {
        (Some(x), Some(y)) => Some(format!("({x}{word}{y})")),
        _ => None,
    };
    let coql = format!("({} {word} {})", a.coql, b.coql);
    let (pa, pb) = (a.pred, b.pred);
    Case::new(criteria, coql, move |r| if is_and { pa(r) && pb(r) } else { pa(r) || pb(r) })
}

async fn results_match_a_brute_force_filter(app: TestApp) {
    let t = app.tenant("Zylker", &scopes()).await;
    let tok = &t.access_token;
    let (firsts, lasts, cities) = (FIRSTS, LASTS, CITIES);
    custom_field(&app, &t.org.org_id, "Score", "integer", &[], None).await;
    custom_field(&app, &t.org.org_id, "Met", "datetime", &[], None).await;
    custom_field(&app, &t.org.org_id, "Regions", "multiselectpicklist", REGIONS, None).await;
    let mut accounts = Vec::new();
    for name in ["Acme", "Globex", "Initech"] {
        accounts.push(app.create(tok, "Accounts", json!({"Account_Name": name})).await);
    }
    let mut rng = Lcg(42);
    let mut contacts: Vec<Value> = Vec::new();
    for i in 0..48 {
        let mut r = json!({"First_Name": firsts[rng.next(firsts.len())], "Last_Name": lasts[rng.next(lasts.len())], "Email": format!("p{i}.{}@ex{}.example", lasts[rng.next(lasts.len())].to_lowercase().replace('\'', ""), rng.next(3))});
        if rng.next(2) == 0 {
            r["Mailing_City"] = json!(cities[rng.next(cities.len())]);
        }
        if rng.next(3) == 0 {
            r["Phone"] = json!(format!("+1 555-01{:02}", rng.next(100)));
        }
        match rng.next(3) {
            0 => r["Email_Opt_Out"] = json!(true),
            1 => r["Email_Opt_Out"] = json!(false),
            _ => {}
        }
        if rng.next(2) == 0 {
            r["Account_Name"] = json!({"id": accounts[rng.next(accounts.len())]});
        }
        if rng.next(3) > 0 {
            r["Score"] = json!(rng.next(101));
        }
        if rng.next(3) > 0 {
            r["Met"] = json!(random_datetime(&mut rng));
        }
        if rng.next(2) == 0 {
            let mut held: Vec<&str> = REGIONS.iter().copied().filter(|_| rng.next(2) == 0).collect();
            if held.is_empty() {
                held.push(REGIONS[rng.next(REGIONS.len())]);
            }
            r["Regions"] = json!(held);
        }
        let id = app.create(tok, "Contacts", r.clone()).await;
        r["id"] = json!(id);
        contacts.push(r);
    }
    let acme = accounts[0].clone();
    let lookup = move |r: &Value| r["Account_Name"]["id"].as_str().map(str::to_string);
    let cases: Vec<(String, Pred)> = vec![
        ("(Last_Name:equals:watson)".into(), Box::new(|r| lower(&text(r, "Last_Name").unwrap()) == "watson")),
        ("(Last_Name:starts_with:WAT)".into(), Box::new(|r| lower(&text(r, "Last_Name").unwrap()).starts_with("wat"))),
        (
            "((First_Name:equals:ann)and(Last_Name:starts_with:wa))".into(),
            Box::new(|r| lower(&text(r, "First_Name").unwrap()) == "ann" && lower(&text(r, "Last_Name").unwrap()).starts_with("wa")),
        ),
        (
            "((Last_Name:equals:Smith)or((Mailing_City:in:Austin,Boston)and(Email_Opt_Out:equals:false)))".into(),
            Box::new(|r| {
                lower(&text(r, "Last_Name").unwrap()) == "smith"
                    || (text(r, "Mailing_City").is_some_and(|c| ["austin", "boston"].contains(&lower(&c).as_str()))
                        && r["Email_Opt_Out"] != json!(true))
            }),
        ),
        ("(Last_Name:not_equal:smith)".into(), Box::new(|r| lower(&text(r, "Last_Name").unwrap()) != "smith")),
        ("(First_Name:equals:émile)".into(), Box::new(|r| text(r, "First_Name").as_deref() == Some("émile"))),
        ("(First_Name:equals:Émile)".into(), Box::new(|r| text(r, "First_Name").as_deref() == Some("Émile"))),
        ("(Email_Opt_Out:equals:true)".into(), Box::new(|r| r["Email_Opt_Out"] == json!(true))),
        (format!("(Account_Name:equals:{acme})"), {
            let acme = acme.clone();
            Box::new(move |r| lookup(r).as_deref() == Some(acme.as_str()))
        }),
        (format!("(Owner:in:{},1000000000000000001)", t.org.admin_user_id), Box::new(|_| true)),
        (
            "(Full_Name:starts_with:ted w)".into(),
            Box::new(|r| lower(&format!("{} {}", text(r, "First_Name").unwrap(), text(r, "Last_Name").unwrap())).starts_with("ted w")),
        ),
        ("(Phone:starts_with:+1 555-010)".into(), Box::new(|r| text(r, "Phone").is_some_and(|p| p.starts_with("+1 555-010")))),
    ];
    for (criteria, pred) in &cases {
        let expected: Vec<String> = contacts.iter().filter(|r| pred(r)).map(|r| r["id"].as_str().unwrap().to_string()).collect();
        let (status, body) = app.get(&format!("/bigin/v2/Contacts/search?criteria={}", enc(criteria)), tok).await;
        assert_eq!(ids(&body), expected, "{criteria}: {status}");
        let (_, count) = app.get(&format!("/bigin/v2/Contacts/actions/count?criteria={}", enc(criteria)), tok).await;
        assert_eq!(count["count"], expected.len(), "count {criteria}");
    }
    for word in ["wat", "ex1", "austin", "ann smith", "zü", "obrien", "o brien"] {
        let wanted: Vec<String> = word.split(' ').map(str::to_lowercase).collect();
        let expected: Vec<String> = contacts
            .iter()
            .filter(|r| {
                let have = words(r);
                wanted.iter().all(|w| have.iter().any(|h| h.starts_with(w.as_str())))
            })
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        let (_, body) = app.get(&format!("/bigin/v2/Contacts/search?word={}", enc(word)), tok).await;
        assert_eq!(ids(&body), expected, "word {word}");
    }

    // COQL over the same records, with its orders.
    let key = |r: &Value, k: &str| text(r, k).map(|v| lower(&v));
    let coql: Vec<(&str, Pred, Order)> = vec![
        (
            "Last_Name like 'wat%' order by Last_Name, id",
            Box::new(|r| lower(&text(r, "Last_Name").unwrap()).starts_with("wat")),
            Some(Box::new(move |a, b| key(a, "Last_Name").cmp(&key(b, "Last_Name")))),
        ),
        (
            "Last_Name like '%s' and Mailing_City is null",
            Box::new(|r| lower(&text(r, "Last_Name").unwrap()).ends_with('s') && r.get("Mailing_City").is_none()),
            None,
        ),
        (
            "First_Name not in ('ted', 'ANN') and Email not like '%ex0%'",
            Box::new(|r| {
                !["ted", "ann"].contains(&lower(&text(r, "First_Name").unwrap()).as_str()) && !text(r, "Email").unwrap().contains("ex0")
            }),
            None,
        ),
        (
            "(Email_Opt_Out = false or Mailing_City = 'zürich') and Last_Name != 'smith'",
            Box::new(|r| {
                (r["Email_Opt_Out"] != json!(true) || text(r, "Mailing_City").as_deref() == Some("Zürich"))
                    && lower(&text(r, "Last_Name").unwrap()) != "smith"
            }),
            None,
        ),
        (
            "Account_Name.Account_Name in ('acme', 'Globex')",
            {
                let (a, g) = (accounts[0].clone(), accounts[1].clone());
                Box::new(move |r| r["Account_Name"]["id"].as_str().is_some_and(|id| id == a || id == g))
            },
            None,
        ),
        (
            "Mailing_City is not null order by Mailing_City desc",
            Box::new(|r| r.get("Mailing_City").is_some()),
            Some(Box::new(move |a, b| {
                key(b, "Mailing_City").cmp(&key(a, "Mailing_City")).then_with(|| b["id"].as_str().cmp(&a["id"].as_str()))
            })),
        ),
    ];
    for (clause, pred, order) in &coql {
        let mut expected: Vec<&Value> = contacts.iter().filter(|r| pred(r)).collect();
        if let Some(order) = order {
            expected.sort_by(|a, b| order(a, b).then_with(|| a["id"].as_str().cmp(&b["id"].as_str())));
        }
        let expected: Vec<String> = expected.iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
        let (_, body) =
            app.post("/bigin/v2/coql", tok, &json!({"select_query": format!("select Last_Name from Contacts where {clause}")})).await;
        assert_eq!(ids(&body), expected, "{clause}: {body}");
    }

    // Numbers, datetimes, multi-select picklists and booleans, fixed cases then seeded random
    // trees of them, in search (and count) and in COQL.
    let mets: Vec<String> = contacts.iter().filter_map(|r| text(r, "Met")).collect();
    let at = mets[0].clone();
    let at_secs = crm::time_fmt::parse(&at).unwrap() / 1000;
    let score = |r: &Value| r["Score"].as_i64();
    let mut cases: Vec<Case> = vec![
        Case::new(Some("(Score:greater_than:50)".into()), "Score > 50".into(), move |r| score(r).is_some_and(|s| s > 50)),
        Case::new(Some("(Score:greater_equal:50)".into()), "Score >= 50".into(), move |r| score(r).is_some_and(|s| s >= 50)),
        Case::new(Some("(Score:less_than:30)".into()), "Score < 30".into(), move |r| score(r).is_some_and(|s| s < 30)),
        Case::new(Some("(Score:less_equal:30)".into()), "Score <= 30".into(), move |r| score(r).is_some_and(|s| s <= 30)),
        Case::new(Some("(Score:between:20,60)".into()), "Score between 20 and 60".into(), move |r| {
            score(r).is_some_and(|s| (20..=60).contains(&s))
        }),
        Case::new(None, "Score not between 20 and 60".into(), move |r| score(r).is_some_and(|s| !(20..=60).contains(&s))),
        Case::new(Some(format!("(Met:equals:{at})")), format!("Met = '{at}'"), move |r| met(r) == Some(at_secs)),
        Case::new(Some(format!("(Met:not_equal:{at})")), format!("Met != '{at}'"), move |r| met(r).is_some_and(|m| m != at_secs)),
        Case::new(Some("(Met:greater_than:2026-01-15T00:00:00+05:30)".into()), "Met > '2026-01-15T00:00:00+05:30'".into(), |r| {
            met(r).is_some_and(|m| m > crm::time_fmt::parse("2026-01-15T00:00:00+05:30").unwrap() / 1000)
        }),
        Case::new(Some("(Met:less_equal:2026-01-10T12:00:00-08:00)".into()), "Met <= '2026-01-10T12:00:00-08:00'".into(), |r| {
            met(r).is_some_and(|m| m <= crm::time_fmt::parse("2026-01-10T12:00:00-08:00").unwrap() / 1000)
        }),
        Case::new(
            Some("(Met:between:2026-01-05T00:00:00+00:00,2026-01-20T23:59:59+00:00)".into()),
            "Met between '2026-01-05T00:00:00+00:00' and '2026-01-20T23:59:59+00:00'".into(),
            |r| {
                let (lo, hi) = (
                    crm::time_fmt::parse("2026-01-05T00:00:00+00:00").unwrap(),
                    crm::time_fmt::parse("2026-01-20T23:59:59+00:00").unwrap(),
                );
                met(r).is_some_and(|m| (lo / 1000..=hi / 1000).contains(&m))
            },
        ),
        Case::new(Some("(Regions:equals:eu)".into()), "Regions = 'EU'".into(), |r| {
            regions(r).is_some_and(|v| v.contains(&"eu".to_string()))
        }),
        Case::new(Some("(Regions:not_equal:US)".into()), "Regions != 'us'".into(), |r| {
            regions(r).is_some_and(|v| !v.contains(&"us".to_string()))
        }),
        Case::new(Some("(Regions:in:APAC,US)".into()), "Regions in ('APAC', 'US')".into(), |r| {
            regions(r).is_some_and(|v| v.iter().any(|x| x == "apac" || x == "us"))
        }),
        Case::new(None, "Regions is null".into(), |r| regions(r).is_none()),
        Case::new(Some("(Email_Opt_Out:not_equal:true)".into()), "Email_Opt_Out != true".into(), |r| r["Email_Opt_Out"] != json!(true)),
        Case::new(Some("(Email_Opt_Out:not_equal:false)".into()), "Email_Opt_Out != false".into(), |r| r["Email_Opt_Out"] == json!(true)),
    ];
    let account_ids: Vec<String> = accounts.to_vec();
    let mut tree_rng = Lcg(7);
    cases.extend((0..40).map(|_| random_case(&mut tree_rng, 0, &account_ids, &mets)));
    let (mut searched, mut queried, mut telling) = (0, 0, 0);
    for case in &cases {
        let expected: Vec<String> = contacts.iter().filter(|r| (case.pred)(r)).map(|r| r["id"].as_str().unwrap().to_string()).collect();
        if !expected.is_empty() && expected.len() < contacts.len() {
            telling += 1;
        }
        if let Some(criteria) = &case.criteria {
            let (status, body) = app.get(&format!("/bigin/v2/Contacts/search?criteria={}", enc(criteria)), tok).await;
            assert!(status == StatusCode::OK || status == StatusCode::NO_CONTENT, "{criteria}: {status} {body}");
            assert_eq!(ids(&body), expected, "{criteria}");
            let (_, count) = app.get(&format!("/bigin/v2/Contacts/actions/count?criteria={}", enc(criteria)), tok).await;
            assert_eq!(count["count"], expected.len(), "count {criteria}");
            searched += 1;
        }
        let query = format!("select Last_Name from Contacts where {}", case.coql);
        let (status, body) = app.post("/bigin/v2/coql", tok, &json!({ "select_query": query })).await;
        assert!(status == StatusCode::OK || status == StatusCode::NO_CONTENT, "{query}: {status} {body}");
        assert_eq!(ids(&body), expected, "{query}");
        queried += 1;
    }
    // The random trees reach both languages, not only COQL.
    assert!(searched >= 30 && queried == cases.len(), "{searched} searched, {queried} queried");
    // Most cases split the records (neither none nor all match), so they tell something.
    assert!(telling * 3 >= cases.len() * 2, "only {telling} of {} cases split the records", cases.len());

    // Numbers, dates and picklists, on deals.
    let stages = ["Qualification", "Needs Identification", "Closed Won", "Closed Lost"];
    let mut deals: Vec<Value> = Vec::new();
    for i in 0..24 {
        let mut r = json!({"Deal_Name": format!("Deal {i}"), "Sub_Pipeline": "Standard", "Stage": stages[rng.next(stages.len())]});
        if rng.next(4) > 0 {
            r["Amount"] = json!((rng.next(100) * 10) as f64 + 0.5);
        }
        if rng.next(4) > 0 {
            r["Closing_Date"] = json!(format!("2026-{:02}-{:02}", rng.next(12) + 1, rng.next(28) + 1));
        }
        let id = app.create(tok, "Pipelines", r.clone()).await;
        r["id"] = json!(id);
        deals.push(r);
    }
    let amount = |r: &Value| r["Amount"].as_f64();
    let date = |r: &Value| text(r, "Closing_Date");
    let deal_cases: Vec<(String, Pred)> = vec![
        ("(Amount:greater_than:500)".into(), Box::new(move |r| amount(r).is_some_and(|a| a > 500.0))),
        ("(Amount:between:100,300.5)".into(), Box::new(move |r| amount(r).is_some_and(|a| (100.0..=300.5).contains(&a)))),
        ("(Closing_Date:less_equal:2026-06-30)".into(), Box::new(move |r| date(r).is_some_and(|d| d.as_str() <= "2026-06-30"))),
        (
            "(Stage:in:qualification,Closed Won)".into(),
            Box::new(|r| ["Qualification", "Closed Won"].contains(&r["Stage"].as_str().unwrap())),
        ),
        (
            "((Amount:less_than:200)or(Closing_Date:greater_equal:2026-10-01))".into(),
            Box::new(move |r| amount(r).is_some_and(|a| a < 200.0) || date(r).is_some_and(|d| d.as_str() >= "2026-10-01")),
        ),
    ];
    for (criteria, pred) in &deal_cases {
        let expected: Vec<String> = deals.iter().filter(|r| pred(r)).map(|r| r["id"].as_str().unwrap().to_string()).collect();
        let (_, body) = app.get(&format!("/bigin/v2/Pipelines/search?criteria={}", enc(criteria)), tok).await;
        assert_eq!(ids(&body), expected, "{criteria}");
    }
    let deal_coql: Vec<(&str, Pred)> = vec![
        ("Amount > 500", Box::new(move |r| amount(r).is_some_and(|a| a > 500.0))),
        ("Amount >= 500.5", Box::new(move |r| amount(r).is_some_and(|a| a >= 500.5))),
        ("Amount < 200", Box::new(move |r| amount(r).is_some_and(|a| a < 200.0))),
        ("Amount <= 200.5", Box::new(move |r| amount(r).is_some_and(|a| a <= 200.5))),
        ("Amount between 100 and 300.5", Box::new(move |r| amount(r).is_some_and(|a| (100.0..=300.5).contains(&a)))),
        ("Closing_Date > '2026-06-30'", Box::new(move |r| date(r).is_some_and(|d| d.as_str() > "2026-06-30"))),
        ("Closing_Date <= '2026-03-31'", Box::new(move |r| date(r).is_some_and(|d| d.as_str() <= "2026-03-31"))),
        ("Closing_Date < '2026-03-31'", Box::new(move |r| date(r).is_some_and(|d| d.as_str() < "2026-03-31"))),
        ("Closing_Date >= '2026-10-01'", Box::new(move |r| date(r).is_some_and(|d| d.as_str() >= "2026-10-01"))),
        (
            "Closing_Date between '2026-02-01' and '2026-05-31'",
            Box::new(move |r| date(r).is_some_and(|d| d.as_str() >= "2026-02-01" && d.as_str() <= "2026-05-31")),
        ),
        (
            "(Amount > 300 and Stage in ('Qualification', 'Closed Won')) or Closing_Date is null",
            Box::new(move |r| {
                (amount(r).is_some_and(|a| a > 300.0) && ["Qualification", "Closed Won"].contains(&r["Stage"].as_str().unwrap()))
                    || date(r).is_none()
            }),
        ),
    ];
    for (clause, pred) in &deal_coql {
        let expected: Vec<String> = deals.iter().filter(|r| pred(r)).map(|r| r["id"].as_str().unwrap().to_string()).collect();
        let (_, body) =
            app.post("/bigin/v2/coql", tok, &json!({"select_query": format!("select Deal_Name from Pipelines where {clause}")})).await;
        assert_eq!(ids(&body), expected, "{clause}");
    }
    let (_, body) = app
        .post("/bigin/v2/coql", tok, &json!({"select_query": "select Deal_Name, Amount from Pipelines where Amount not between 200 and 700 order by Amount desc, Deal_Name limit 200"}))
        .await;
    let mut expected: Vec<&Value> = deals.iter().filter(|r| amount(r).is_some_and(|a| !(200.0..=700.0).contains(&a))).collect();
    expected.sort_by(|a, b| {
        amount(b)
            .partial_cmp(&amount(a))
            .unwrap()
            .then_with(|| lower(&text(a, "Deal_Name").unwrap()).cmp(&lower(&text(b, "Deal_Name").unwrap())))
    });
    assert_eq!(ids(&body), expected.iter().map(|r| r["id"].as_str().unwrap().to_string()).collect::<Vec<_>>());
}

async fn organizations_never_see_each_others_matches(app: TestApp) {
    let a = app.tenant("Alpha", &scopes()).await;
    let b = app.tenant("Beta", &scopes()).await;
    let mine = app.create(&a.access_token, "Contacts", json!({"Last_Name": "Shared", "Email": "same@x.example"})).await;
    let theirs = app.create(&b.access_token, "Contacts", json!({"Last_Name": "Shared", "Email": "same@x.example"})).await;
    let b_only = app.create(&b.access_token, "Contacts", json!({"Last_Name": "Secret", "Email": "secret@b.example"})).await;
    for path in [
        format!("/bigin/v2/Contacts/search?criteria={}", enc("(Last_Name:starts_with:s)")),
        "/bigin/v2/Contacts/search?email=same%40x.example".into(),
        "/bigin/v2/Contacts/search?word=shared".into(),
        format!("/bigin/v2/Contacts/search?criteria={}", enc(&format!("(id:in:{mine},{theirs},{b_only})"))),
    ] {
        let (_, body) = app.get(&path, &a.access_token).await;
        assert_eq!(ids(&body), std::slice::from_ref(&mine), "{path}");
    }
    for path in ["/bigin/v2/Contacts/search?word=secret", "/bigin/v2/Contacts/search?email=secret%40b.example"] {
        assert_eq!(app.get(path, &a.access_token).await.0, StatusCode::NO_CONTENT, "{path}");
    }
    let (_, body) = app.get("/bigin/v2/Contacts/actions/count?word=sh", &a.access_token).await;
    assert_eq!(body, json!({"count": 1}));
    let (_, body) =
        app.post("/bigin/v2/coql", &a.access_token, &json!({"select_query": format!("select Last_Name from Contacts where id in ('{theirs}', '{b_only}', '{mine}') or Email like 'secret%'")})).await;
    assert_eq!(ids(&body), std::slice::from_ref(&mine));
}

/// COQL's lookup traversals, in `where` and in `select`, stay in the caller's organization: the
/// same account name in another organization, another organization's ids, and a lookup value
/// that names another organization's record (which a write cannot make, so the test puts it in
/// the store itself) all read as nothing.
async fn coql_traversals_never_cross_organizations(app: TestApp) {
    let a = app.tenant("Alpha", &scopes()).await;
    let b = app.tenant("Beta", &scopes()).await;
    let (ta, tb) = (a.access_token.as_str(), b.access_token.as_str());
    let a_globex = app.create(ta, "Accounts", json!({"Account_Name": "Globex"})).await;
    let b_globex = app.create(tb, "Accounts", json!({"Account_Name": "Globex"})).await;
    let b_initech = app.create(tb, "Accounts", json!({"Account_Name": "Initech"})).await;
    let mine = app.create(ta, "Contacts", json!({"Last_Name": "Mine", "Account_Name": {"id": a_globex}})).await;
    let theirs = app.create(tb, "Contacts", json!({"Last_Name": "Theirs", "Account_Name": {"id": b_globex}})).await;
    app.create(tb, "Contacts", json!({"Last_Name": "Hidden", "Account_Name": {"id": b_initech}})).await;
    // A write cannot point a lookup at another organization's record ...
    let (status, body) =
        app.post("/bigin/v2/Contacts", ta, &json!({"data": [{"Last_Name": "Spy", "Account_Name": {"id": b_initech}}]})).await;
    assert_eq!(
        (status, body["data"][0]["code"].as_str(), body["data"][0]["details"]["api_name"].as_str()),
        (StatusCode::BAD_REQUEST, Some("INVALID_DATA"), Some("Account_Name"))
    );
    // ... so the store is given one directly, as a bug or an old import could have left it.
    let spy = app.create(ta, "Contacts", json!({"Last_Name": "Spy"})).await;
    let org_a = crm::Id::parse(&a.org.org_id).unwrap();
    let mut row = app.state.store.record(org_a, "Contacts", crm::Id::parse(&spy).unwrap()).await.unwrap().unwrap();
    let mut data = row.data.to_map();
    data.insert("Account_Name".into(), json!(b_initech));
    row.data = store::RecordData::from_map(&data);
    app.state.store.update_record(&row, &[]).await.unwrap();

    let coql = |token: &str, query: String| {
        let app = &app;
        let token = token.to_string();
        async move { app.post("/bigin/v2/coql", &token, &json!({ "select_query": query })).await }
    };
    let select = "select Last_Name, Account_Name, Account_Name.Account_Name from Contacts";
    for clause in [
        "Account_Name.Account_Name = 'Globex'".to_string(),
        "Account_Name.Account_Name in ('Globex', 'Initech')".into(),
        format!("Account_Name in ('{b_globex}', '{a_globex}')"),
        format!("Account_Name.id in ('{b_globex}', '{a_globex}')"),
        "Account_Name.Account_Name like 'glo%' or Account_Name.Account_Name like 'ini%'".into(),
    ] {
        let (status, body) = coql(ta, format!("{select} where {clause}")).await;
        assert_eq!(status, StatusCode::OK, "{clause}: {body}");
        assert_eq!(
            body["data"],
            json!([{"Last_Name": "Mine", "Account_Name": {"id": a_globex}, "Account_Name.Account_Name": "Globex", "id": mine}]),
            "{clause}"
        );
    }
    for clause in [
        "Account_Name.Account_Name = 'Initech'".to_string(),
        format!("Account_Name = '{b_globex}'"),
        format!("Account_Name.id = '{b_initech}'"),
        format!("id in ('{theirs}')"),
        "Account_Name.Account_Name = 'Globex' and Last_Name = 'Theirs'".into(),
    ] {
        let (status, body) = coql(ta, format!("{select} where {clause}")).await;
        assert_eq!((status, &body), (StatusCode::NO_CONTENT, &Value::Null), "{clause}");
    }
    // The lookup that names another organization's record reads as nothing, traversal included.
    // (Comparing the stored value itself reads only Alpha's record: it finds Spy, and shows
    // nothing of Beta's account.)
    let (_, body) = coql(ta, format!("{select} where Last_Name = 'Spy'")).await;
    assert_eq!(body["data"], json!([{"Last_Name": "Spy", "Account_Name": null, "Account_Name.Account_Name": null, "id": spy}]));
    let (_, body) = coql(ta, format!("{select} where Account_Name = '{b_initech}'")).await;
    assert_eq!(body["data"], json!([{"Last_Name": "Spy", "Account_Name": null, "Account_Name.Account_Name": null, "id": spy}]));
    // The other organization sees its own, and not Alpha's.
    let (_, body) = coql(tb, format!("{select} where Account_Name.Account_Name = 'Globex'")).await;
    assert_eq!(ids(&body), std::slice::from_ref(&theirs));
    // A looked-up record deleted reads as null too, as GET /Contacts shows it.
    app.delete(&format!("/bigin/v2/Accounts/{a_globex}"), ta).await;
    let (_, body) = coql(ta, format!("{select} where Last_Name = 'Mine'")).await;
    assert_eq!(body["data"], json!([{"Last_Name": "Mine", "Account_Name": null, "Account_Name.Account_Name": null, "id": mine}]));
    let (status, _) = coql(ta, format!("{select} where Account_Name.Account_Name = 'Globex'")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

async fn query_plans_read_indexes(app: TestApp) {
    use crm::query::{Column, Order, Target};
    use store::{RecordFilter, RecordQuery};
    let t = app.tenant("Zylker", &scopes()).await;
    let org = crm::Id::parse(&t.org.org_id).unwrap();
    let schema = crm::modules::Schema::default_for(org);
    let by_id = vec![Order { target: Target::Column(Column::Id), descending: false }];
    // Enough records, and measured statistics, for PostgreSQL's planner to weigh indexes as it
    // would on a real table.
    for batch in 0..4 {
        let records: Vec<Value> = (0..100)
            .map(|i| {
                let n = batch * 100 + i;
                json!({"Last_Name": format!("Name{n}"), "First_Name": format!("F{}", n % 37), "Email": format!("p{n}@x{}.example", n % 7), "Phone": format!("+1 555 {n:04}"), "Mobile": format!("{n:04}")})
            })
            .collect();
        let (status, _) = app.post("/bigin/v2/Contacts", &t.access_token, &json!({ "data": records })).await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    app.state.store.analyze().await.unwrap();
    let cases: Vec<(&str, &str, &str, &str)> = vec![
        // (module, criteria or COQL where, expected index fragment, kind)
        ("Contacts", "(Email:equals:a@b.c)", "rx_contacts_email_", "criteria"),
        ("Contacts", "(Last_Name:starts_with:wat)", "rx_contacts_last_name_", "criteria"),
        ("Contacts", "(Phone:in:1,2)", "rx_contacts_phone_", "criteria"),
        ("Contacts", "(Account_Name:equals:1000000000000000001)", "rx_contacts_account_name_", "criteria"),
        ("Contacts", "(Owner:equals:1000000000000000001)", "records_by_owner", "criteria"),
        ("Contacts", "(Full_Name:starts_with:ted)", "rx_contacts_name_", "criteria"),
        ("Pipelines", "(Stage:equals:Qualification)", "rx_pipelines_stage_", "criteria"),
        ("Accounts", "(Account_Name:starts_with:ac)", "rx_accounts_account_name_", "criteria"),
        ("Products", "(Product_Category:in:Hardware,Software)", "rx_products_product_category_", "criteria"),
        ("Contacts", "((Email:equals:a@b.c)or(Last_Name:equals:x))", "rx_contacts_last_name_", "criteria"),
        ("Contacts", "Email like 'ted%' or Mobile = '555'", "rx_contacts_mobile_", "coql"),
        ("Contacts", "Account_Name.Account_Name = 'acme'", "rx_accounts_account_name_", "coql"),
        // Two indexed terms: the first drives (and below, on SQLite, the second's ids come from its
        // own index).
        ("Contacts", "((Last_Name:equals:ward)and(First_Name:equals:ada))", "rx_contacts_last_name_", "criteria"),
    ];
    for (module, text, index, kind) in cases {
        let m = schema.module(module).unwrap();
        let condition = if kind == "criteria" {
            crm::criteria::parse(m, text).unwrap()
        } else {
            let q = crm::coql::parse_syntax(&format!("select id from {module} where {text}")).unwrap();
            crm::coql::lower(&schema, &q).unwrap().condition.unwrap()
        };
        // As the API plans it before the store sees it.
        let condition = crm::query::intersect_indexed(m, condition);
        let query = RecordQuery {
            module: module.into(),
            filters: vec![RecordFilter::Where(condition)],
            order: by_id.clone(),
            offset: 0,
            limit: 201,
        };
        for count in [false, true] {
            let plan = app.state.store.explain_records(org, &query, count, true).await.unwrap().join("\n");
            assert!(plan.contains(index), "{module} {text} (count: {count}) does not use {index}:\n{plan}");
            assert!(!plan.contains("SCAN records") && !plan.contains("Seq Scan on records"), "{module} {text} reads every record:\n{plan}");
        }
    }
    // SQLite cannot AND two indexes: the second term is probed through its own index, never by
    // reading each candidate record (PostgreSQL combines the bitmaps of both itself).
    let contacts = schema.module("Contacts").unwrap();
    let both = crm::query::intersect_indexed(
        contacts,
        crm::criteria::parse(contacts, "((Last_Name:equals:ward)and(First_Name:equals:ada))").unwrap(),
    );
    let query =
        RecordQuery { module: "Contacts".into(), filters: vec![RecordFilter::Where(both)], order: by_id.clone(), offset: 0, limit: 201 };
    let plan = app.state.store.explain_records(org, &query, false, true).await.unwrap().join("\n");
    if plan.contains("SEARCH ") {
        assert!(plan.contains("rx_contacts_first_name_") && plan.contains("COVERING INDEX rx_contacts_last_name_"), "{plan}");
    }
    // COQL's order by Modified_Time reads the records in that order.
    let q = crm::coql::parse_syntax("select id from Contacts where Owner = '1000000000000000001' order by Modified_Time desc limit 200")
        .unwrap();
    let plan = crm::coql::lower(&schema, &q).unwrap();
    let query = RecordQuery {
        module: "Contacts".into(),
        filters: vec![RecordFilter::Where(plan.condition.unwrap())],
        order: plan.order,
        offset: 0,
        limit: 201,
    };
    let text = app.state.store.explain_records(org, &query, false, true).await.unwrap().join("\n");
    assert!(!text.contains("SCAN records") && !text.contains("Seq Scan on records"), "{text}");
}

async fn custom_field(app: &TestApp, org: &str, label: &str, data_type: &str, picklist: &[&str], lookup_module: Option<&str>) {
    let picklist: Vec<String> = picklist.iter().map(|s| s.to_string()).collect();
    let new = server::provision::NewField {
        module: "Contacts",
        label,
        data_type,
        length: None,
        picklist: &picklist,
        unique: false,
        lookup_module,
    };
    server::provision::create_custom_field(&app.state, org, &new).await.unwrap();
}

async fn custom_fields_are_searched_and_queried_like_default_ones(app: TestApp) {
    let t = app.tenant("Zylker", &scopes()).await;
    let tok = t.access_token.as_str();
    let org = t.org.org_id.as_str();
    custom_field(&app, org, "Nickname", "text", &[], None).await;
    custom_field(&app, org, "Score", "integer", &[], None).await;
    custom_field(&app, org, "Budget", "currency", &[], None).await;
    custom_field(&app, org, "Tier", "picklist", &["Gold", "Silver", "Bronze"], None).await;
    custom_field(&app, org, "Regions", "multiselectpicklist", &["EU", "US", "APAC"], None).await;
    custom_field(&app, org, "Renewal", "date", &[], None).await;
    custom_field(&app, org, "Met", "datetime", &[], None).await;
    custom_field(&app, org, "VIP", "boolean", &[], None).await;
    custom_field(&app, org, "Alt Email", "email", &[], None).await;
    custom_field(&app, org, "Referrer", "lookup", &[], Some("Contacts")).await;
    custom_field(&app, org, "Buddy", "userlookup", &[], None).await;
    let boss = app.create(tok, "Contacts", json!({"Last_Name": "Boss"})).await;
    let ted = app
        .create(
            tok,
            "Contacts",
            json!({"Last_Name": "Watson", "Nickname": "Teddy Bear", "Score": 80, "Budget": 1500.5, "Tier": "Gold", "Regions": ["EU", "US"],
                   "Renewal": "2026-03-01", "Met": "2026-01-10T09:00:00+01:00", "VIP": true, "Alt_Email": "Ted@Home.example",
                   "Referrer": {"id": boss}, "Buddy": {"id": t.org.admin_user_id}}),
        )
        .await;
    let ann = app
        .create(
            tok,
            "Contacts",
            json!({"Last_Name": "Lee", "Nickname": "Annie", "Score": 40, "Budget": 900, "Tier": "Silver", "Regions": ["APAC"],
                   "Renewal": "2026-09-30", "Met": "2026-02-01T12:00:00Z", "VIP": false, "Alt_Email": "ann@home.example"}),
        )
        .await;
    let found = |query: String| {
        let app = &app;
        async move {
            let (status, body) = app.get(&format!("/bigin/v2/Contacts/search?{query}"), tok).await;
            assert!(status == StatusCode::OK || status == StatusCode::NO_CONTENT, "{query}: {status} {body}");
            ids(&body)
        }
    };
    let criteria = |c: &str| format!("criteria={}", enc(c));
    let cases: Vec<(String, Vec<&String>)> = vec![
        (criteria("(Nickname:equals:teddy bear)"), vec![&ted]),
        (criteria("(Nickname:starts_with:ann)"), vec![&ann]),
        (criteria("(Nickname:not_equal:Annie)"), vec![&ted]),
        (criteria("(Score:greater_than:50)"), vec![&ted]),
        (criteria("(Score:between:30,80)"), vec![&ted, &ann]),
        (criteria("(Score:in:40,41)"), vec![&ann]),
        (criteria("(Budget:greater_equal:1000)"), vec![&ted]),
        (criteria("(Tier:in:Gold,Bronze)"), vec![&ted]),
        (criteria("(Tier:equals:silver)"), vec![&ann]),
        (criteria("(Regions:equals:EU)"), vec![&ted]),
        (criteria("(Regions:in:APAC,US)"), vec![&ted, &ann]),
        (criteria("(Renewal:less_than:2026-06-01)"), vec![&ted]),
        (criteria("(Met:greater_than:2026-01-15T00:00:00+00:00)"), vec![&ann]),
        (criteria("(VIP:equals:true)"), vec![&ted]),
        (criteria("(VIP:equals:false)"), vec![&boss, &ann]),
        (criteria("(Alt_Email:equals:TED@home.example)"), vec![&ted]),
        (criteria(&format!("(Referrer:equals:{boss})")), vec![&ted]),
        (criteria(&format!("(Buddy:equals:{})", t.org.admin_user_id)), vec![&ted]),
        (criteria("((Tier:equals:Gold)and(Score:greater_than:10))"), vec![&ted]),
        (criteria("((Tier:equals:Bronze)or(Nickname:starts_with:ann))"), vec![&ann]),
        ("word=tedd".into(), vec![&ted]),
        ("word=bear%20teddy".into(), vec![&ted]),
        ("word=apac".into(), vec![&ann]),
        ("email=ann%40HOME.example".into(), vec![&ann]),
    ];
    for (query, want) in &cases {
        let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        assert_eq!(found(query.clone()).await, want, "{query}");
    }
    // Count takes the same criteria.
    let (_, count) = app.get(&format!("/bigin/v2/Contacts/actions/count?{}", criteria("(Score:greater_equal:40)")), tok).await;
    assert_eq!(count, json!({"count": 2}));
    // A criteria still checks the custom field's type.
    let (status, body) = app.get(&format!("/bigin/v2/Contacts/search?{}", criteria("(Score:starts_with:8)")), tok).await;
    assert_eq!(
        (status, body["code"].as_str(), body["details"]["api_name"].as_str()),
        (StatusCode::BAD_REQUEST, Some("INVALID_QUERY"), Some("Score"))
    );
    let (status, body) = app.get(&format!("/bigin/v2/Contacts/search?{}", criteria("(Score:equals:many)")), tok).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("INVALID_QUERY")));

    let coql = |query: &str| {
        let app = &app;
        let body = json!({ "select_query": query });
        async move { app.post("/bigin/v2/coql", tok, &body).await }
    };
    let (status, body) = coql("select Nickname, Score, Tier, Regions, Renewal, VIP, Referrer, Referrer.Last_Name from Contacts where Score > 50 and Tier = 'Gold'").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["data"][0],
        json!({"Nickname": "Teddy Bear", "Score": 80, "Tier": "Gold", "Regions": ["EU", "US"], "Renewal": "2026-03-01", "VIP": true,
               "Referrer": {"id": boss}, "Referrer.Last_Name": "Boss", "id": ted})
    );
    let wheres: Vec<(&str, Vec<&String>)> = vec![
        ("Nickname like 'te%'", vec![&ted]),
        ("Nickname not like '%bear'", vec![&ann]),
        ("Score between 30 and 50", vec![&ann]),
        ("Score in (40, 80) and Budget < 1000", vec![&ann]),
        ("Tier != 'Gold'", vec![&ann]),
        ("Regions = 'APAC'", vec![&ann]),
        ("Renewal >= '2026-06-01'", vec![&ann]),
        ("Met < '2026-01-31T00:00:00+00:00'", vec![&ted]),
        ("VIP = true", vec![&ted]),
        ("Alt_Email = 'ted@home.example'", vec![&ted]),
        ("Referrer.Last_Name = 'boss'", vec![&ted]),
        ("Referrer is null and Nickname is not null", vec![&ann]),
        ("(Tier = 'Bronze' or Score > 70) and VIP = true", vec![&ted]),
    ];
    for (condition, want) in wheres {
        let (status, body) = coql(&format!("select Last_Name from Contacts where {condition}")).await;
        assert_eq!(status, StatusCode::OK, "{condition}: {body}");
        let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        assert_eq!(ids(&body), want, "{condition}");
    }
    let (_, body) = coql("select Nickname from Contacts where Nickname is not null order by Score desc").await;
    assert_eq!(ids(&body), [ted.clone(), ann.clone()]);
    let (status, body) = coql("select Last_Name from Contacts where Score like '4%'").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("INVALID_QUERY")));
}
