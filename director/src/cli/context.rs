//! What every admin command runs with: the admin API client and the output
//! format, and the one way answers reach the screen (the director's JSON as
//! is, or a table drawn from its decoded type).

use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::admin_client::decode;
use super::render::{print_json, print_text};
use super::{AdminClient, CliError, GlobalArgs, OutputFormat};

/// A command's connection to the director and its output format.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub(crate) client: AdminClient,
    pub(crate) output: OutputFormat,
}

/// One answer of the director: where it came from and its JSON.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) url: Url,
    pub(crate) json: Value,
}

impl Answer {
    /// The answer as the director's type for it.
    pub(crate) fn decode<T: DeserializeOwned>(&self) -> Result<T, CliError> {
        decode(&self.url, self.json.clone())
    }
}

impl Context {
    pub(crate) fn new(global: &GlobalArgs) -> Result<Context, CliError> {
        Ok(Context {
            client: AdminClient::new(global)?,
            output: global.output,
        })
    }

    /// `GET /api/v1/<segments>?<query>`.
    pub(crate) async fn get(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> Result<Answer, CliError> {
        self.call::<()>(Method::GET, segments, query, None).await
    }

    /// Any request to `/api/v1/<segments>`, with an optional JSON body.
    pub(crate) async fn call<B: Serialize + ?Sized>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<Answer, CliError> {
        let url = self.client.url(segments, query);
        let json = self.client.send(method, url.clone(), body).await?;
        Ok(Answer { url, json })
    }

    /// Prints an answer: its JSON, or `render` of its decoded type.
    pub(crate) fn show<T: DeserializeOwned>(
        &self,
        answer: &Answer,
        render: impl FnOnce(&T) -> String,
    ) -> Result<(), CliError> {
        match self.output {
            OutputFormat::Json => print_json(&answer.json),
            OutputFormat::Table => print_text(&render(&answer.decode::<T>()?)),
        }
    }

    /// Prints the answer to a change: its JSON (nothing for an empty
    /// answer), or the sentence `done` saying what happened.
    pub(crate) fn confirm_change(&self, answer: &Answer, done: &str) -> Result<(), CliError> {
        match self.output {
            OutputFormat::Json if answer.json.is_null() => Ok(()),
            OutputFormat::Json => print_json(&answer.json),
            OutputFormat::Table => print_text(done),
        }
    }

    /// Prints a sentence in table mode only (JSON output stays pure JSON).
    pub(crate) fn say(&self, text: &str) -> Result<(), CliError> {
        match self.output {
            OutputFormat::Json => Ok(()),
            OutputFormat::Table => print_text(text),
        }
    }
}
