//! The bundled Postman collection against the API it documents: every route and method of the API's
//! route table (`server::api::route_table`) is sent by at least one request, the folders follow Bigin's
//! documentation, and every request tests the status and the shape of its answer.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

/// Bigin's documentation groups its API like this; the collection's folders follow it.
const FOLDERS: &[&str] = &[
    "Authorization",
    "Organization",
    "Metadata",
    "Users",
    "Records",
    "Query (COQL)",
    "Team Pipelines",
    "Related Records",
    "Notes",
    "Device flow and revocation",
];

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// `(path, methods)` of every route of the API's route table, which the router is built from.
fn api_routes() -> Vec<(String, Vec<String>)> {
    let mut routes: Vec<(String, Vec<String>)> = Vec::new();
    for route in server::api::route_table() {
        let method = route.method.as_str().to_string();
        match routes.iter_mut().find(|(path, _)| path == route.path) {
            Some((_, methods)) => methods.push(method),
            None => routes.push((route.path.to_string(), vec![method])),
        }
    }
    assert!(routes.len() > 20, "the route table has only {} paths", routes.len());
    routes
}

/// Every request of the collection: its folder path, name, method, URL and test script.
fn requests(items: &[Value], path: &str, out: &mut Vec<(String, String, String, String, String)>) {
    for item in items {
        let name = item["name"].as_str().unwrap_or("").to_string();
        if let Some(children) = item["item"].as_array() {
            requests(children, &format!("{path}/{name}"), out);
        } else {
            let request = &item["request"];
            let url = request["url"]["raw"].as_str().or_else(|| request["url"].as_str()).unwrap_or("").to_string();
            let tests: String = item["event"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|e| e["listen"] == "test")
                .flat_map(|e| e["script"]["exec"].as_array().cloned().unwrap_or_default())
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect::<Vec<_>>()
                .join("\n");
            out.push((path.to_string(), name, request["method"].as_str().unwrap_or("").to_string(), url, tests));
        }
    }
}

/// The route a request's path reaches: the one whose literal segments match, literal segments
/// winning over parameters from the left, as the router picks them.
fn route_of<'a>(routes: &'a [(String, Vec<String>)], path: &str) -> Option<&'a (String, Vec<String>)> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    routes
        .iter()
        .filter_map(|route| {
            let pattern: Vec<&str> = route.0.trim_matches('/').split('/').collect();
            if pattern.len() != segments.len() {
                return None;
            }
            let mut literal = Vec::new();
            for (p, s) in pattern.iter().zip(&segments) {
                let is_param = p.starts_with('{');
                if !is_param && p != s {
                    return None;
                }
                literal.push(!is_param);
            }
            Some((literal, route))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, route)| route)
}

#[test]
fn every_api_route_and_method_is_in_the_collection() {
    let collection: Value = serde_json::from_str(&read("postman/Bigin API.postman_collection.json")).unwrap();
    let routes = api_routes();
    let mut all = Vec::new();
    requests(collection["item"].as_array().unwrap(), "", &mut all);
    let mut covered = BTreeSet::new();
    for (_, name, method, url, _) in &all {
        let Some(path) = url.strip_prefix("{{api-domain}}/bigin/v2") else { continue };
        let path = path.split('?').next().unwrap_or("");
        let route = route_of(&routes, path).unwrap_or_else(|| panic!("{name}: {method} {path} is no route of the API"));
        covered.insert((route.0.clone(), method.clone()));
    }
    let missing: Vec<String> = routes
        .iter()
        .flat_map(|(path, methods)| methods.iter().map(move |m| (path.clone(), m.clone())))
        .filter(|pair| !covered.contains(pair))
        .map(|(path, method)| format!("{method} {path}"))
        .collect();
    assert!(missing.is_empty(), "routes no request of the collection sends: {missing:?}");
}

#[test]
fn folders_follow_bigins_docs_and_every_request_tests_status_and_shape() {
    let collection: Value = serde_json::from_str(&read("postman/Bigin API.postman_collection.json")).unwrap();
    let folders: Vec<&str> = collection["item"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(folders, FOLDERS);
    let mut all = Vec::new();
    requests(collection["item"].as_array().unwrap(), "", &mut all);
    let mut names = BTreeSet::new();
    for (folder, name, _, _, tests) in &all {
        assert!(names.insert(name.clone()), "{folder}/{name}: request names are unique (the runner chains them by name)");
        assert!(tests.contains("pm.response.to.have.status("), "{folder}/{name} tests its status");
        let shape = ["jsonSchema(", "pm.response.json()", "pm.response.text()"];
        assert!(shape.iter().any(|s| tests.contains(s)), "{folder}/{name} tests the shape of its answer");
    }
}
