//! Server-rendered pages: minijinja templates, auto-escaped because their names end in `.html`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::Environment;
use serde::Serialize;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("signin.html", include_str!("../../templates/signin.html")),
    ("consent.html", include_str!("../../templates/consent.html")),
    ("message.html", include_str!("../../templates/message.html")),
    ("home.html", include_str!("../../templates/home.html")),
    ("device.html", include_str!("../../templates/device.html")),
    ("console_nav.html", include_str!("../../templates/console_nav.html")),
    ("signup.html", include_str!("../../templates/signup.html")),
    ("console.html", include_str!("../../templates/console.html")),
    ("client_form.html", include_str!("../../templates/client_form.html")),
    ("client.html", include_str!("../../templates/client.html")),
    ("code.html", include_str!("../../templates/code.html")),
    ("connected.html", include_str!("../../templates/connected.html")),
    ("fields.html", include_str!("../../templates/fields.html")),
];

pub struct Pages {
    env: Environment<'static>,
}

impl Pages {
    pub fn new() -> anyhow::Result<Self> {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source)?;
        }
        Ok(Self { env })
    }

    /// Renders `name` with `context` as an HTML answer.
    pub fn render<C: Serialize>(&self, status: StatusCode, name: &str, context: C) -> Response {
        let rendered = self.env.get_template(name).and_then(|t| t.render(context));
        match rendered {
            Ok(html) => (status, [(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))], html).into_response(),
            Err(err) => {
                tracing::error!(%err, template = name, "rendering a page failed");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }

    /// A page that only says something (errors the user cannot be redirected with).
    pub fn message(&self, status: StatusCode, heading: &str, message: &str) -> Response {
        self.render(
            status,
            "message.html",
            minijinja::context! { heading, message, is_error => status.is_client_error() || status.is_server_error() },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_escape_what_they_show() {
        let pages = Pages::new().unwrap();
        let env = &pages.env;
        let html = env
            .get_template("message.html")
            .unwrap()
            .render(minijinja::context! { heading => "x", message => "<script>alert(1)</script>" })
            .unwrap();
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>alert"));
    }
}
