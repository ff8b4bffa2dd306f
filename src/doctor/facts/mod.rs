//! What the doctor measures, once, with no verdicts: the live AWS calls (`live`, with the models
//! each role calls: `roles`), the network path (`network`), Mantle (`mantle`), the local SSO
//! caches (`sso`), and the user's own client — where it is (`claude_bin`), one isolated run of it
//! (`client_run`), the rehearsal through the relay and its cache (`rehearsal`), gathered together
//! (`client`). Every gathering is bounded in time; the checks read what it found.

pub mod claude_bin;
pub mod client;
pub mod client_run;
pub mod live;
pub mod mantle;
pub mod network;
pub mod rehearsal;
pub mod roles;
pub mod sso;
