//! A record of every network call the SDK clients make, for `-vv` and for timing reports.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

use crate::report::CallRecord;

/// Shared, append-only list of calls.
#[derive(Debug, Clone, Default)]
pub struct CallLog {
    calls: Arc<Mutex<Vec<CallRecord>>>,
}

impl CallLog {
    /// Records a call; an endpoint's userinfo (a gateway password) never enters the log.
    pub fn push(&self, mut record: CallRecord) {
        record.endpoint = crate::secret::redact_url(&record.endpoint);
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(record);
        }
    }

    pub fn snapshot(&self) -> Vec<CallRecord> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    pub fn interceptor(&self) -> CallRecorder {
        CallRecorder { log: self.clone() }
    }
}

/// An SDK interceptor that times each attempt from transmit to response.
#[derive(Debug)]
pub struct CallRecorder {
    log: CallLog,
}

#[derive(Debug, Clone)]
struct Started {
    at: Instant,
    endpoint: String,
}

impl Storable for Started {
    type Storer = StoreReplace<Self>;
}

impl Intercept for CallRecorder {
    fn name(&self) -> &'static str {
        "CallRecorder"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let uri = context.request().uri();
        // The query string can carry presigned material; the path is enough to say what was called.
        let endpoint = uri.split('?').next().unwrap_or(uri).to_string();
        cfg.interceptor_state().store_put(Started {
            at: Instant::now(),
            endpoint,
        });
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(started) = cfg.load::<Started>().cloned() else {
            // Nothing was transmitted (e.g. credentials could not be resolved).
            return Ok(());
        };
        let operation = cfg
            .load::<Metadata>()
            .map(|m| format!("{}.{}", m.service(), m.name()))
            .unwrap_or_else(|| "unknown".into());
        let status = context.response().map(|r| r.status().as_u16());
        let outcome = match (status, context.output_or_error()) {
            (_, Some(Ok(_))) => "ok".to_string(),
            (Some(_), _) => "error".to_string(),
            (None, _) => "no response".to_string(),
        };
        self.log.push(CallRecord {
            operation,
            endpoint: started.endpoint,
            status,
            outcome,
            duration_ms: started.at.elapsed().as_millis() as u64,
            detail: None,
        });
        Ok(())
    }
}
