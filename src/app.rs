//! The app: a mounted client. Builds the page (view, host events, configuration), the core's
//! [`Client`] and the [`Executor`] that carries out its actions, and connects them through the
//! event queue (`queue.rs`). It decides nothing.

use alloc::rc::Rc;

use chat_core::text::Lang;
use chat_core::{Client, Input};
use wasm_bindgen::JsValue;
use web_sys::Element;

use crate::config::{Config, TransportConfig};
use crate::error::MountError;
use crate::executor::{refresh_ice, Executor};
use crate::host::Host;
use crate::log::log;
use crate::queue::{Event, Queue};
use crate::view::View;

/// A mounted client. Cloning gives another handle to the same one.
#[derive(Clone)]
pub(crate) struct App(Rc<Queue<Executor>>);

impl App {
    pub fn mount(root: &Element, options: &JsValue) -> Result<App, MountError> {
        let config = Config::read(root, options);
        for warning in &config.warnings {
            log(warning);
        }
        let view = View::mount(root)?;
        let queue = Queue::new();
        let inbox = queue.inbox();
        let mut ui = view.listen(&inbox);
        let pickers = crate::devices::Pickers::find(root);
        ui.extend(pickers.listen(&inbox));
        if let Some(url) = &config.ice_url {
            refresh_ice(url.clone(), inbox.clone());
        }
        // `name` option: log in at once, as if the person had typed it and clicked Log in.
        let name = crate::config::get(options, "name")
            .and_then(|n| n.as_string())
            .filter(|n| !n.trim().is_empty());
        if let Some(name) = &name {
            view.show_name(name);
        }
        let mut client = Client::new(seed());
        let bad_room = config
            .room
            .as_deref()
            .filter(|room| !crate::config::valid_room(room));
        if let Some(room) = &config.room {
            view.show_room(room);
        }
        match &config.transport {
            // A name the relay would refuse (400): say so rather than connect.
            // Worded by the language loop (now and at each change); a login does not clear it.
            TransportConfig::Socket { .. } if bad_room.is_some() => {
                view.show_page_error("roomInvalid")
            }
            TransportConfig::Socket { url } => client.set_server(url.as_str()),
            TransportConfig::Host { .. } => {}
        }
        // An incoming call rings (`incoming-call` event, Accept / Decline) unless the page
        // configures `autoAccept` (the tutorial's answer-at-once, for kiosks and tests). Not
        // configured, a page without `#accept-button` (the tutorial's) answers at once: it
        // could not answer a ringing call otherwise.
        client.set_auto_accept(config.auto_accept.unwrap_or(!view.can_accept()));
        let config_lang = config.lang;
        let host = Host::new(root, options);
        queue.start(Executor::new(client, config, host, view, ui, pickers));
        let app = App(queue);
        // `lang` from the configuration, else the browser's first language we have.
        let lang = config_lang.unwrap_or_else(|| {
            let preferred =
                web_sys::window().map_or_else(js_sys::Array::new, |w| w.navigator().languages());
            preferred
                .iter()
                .find_map(|l| l.as_string().as_deref().and_then(Lang::parse))
                .unwrap_or_default()
        });
        app.input(Input::SetLang { lang });
        if let Some(name) = name {
            app.input(Input::Login { name });
        }
        Ok(app)
    }

    pub fn input(&self, input: Input) {
        self.0.push(Event::Input(input));
    }

    pub fn same(&self, other: &App) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// Removes every listener, closes socket and peer, stops the camera. Idempotent; safe to
    /// call from inside a callback of this app (it then happens when the current event is done).
    pub fn destroy(&self) {
        self.0.close();
    }
}

/// The seed of the core's per-call tokens, from the browser's crypto RNG.
fn seed() -> u64 {
    let mut bytes = [0u8; 8];
    let ok = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if ok {
        u64::from_le_bytes(bytes)
    } else {
        // No Web Crypto: weaker, but the tokens only guard against spoofing on naive servers.
        (js_sys::Math::random() * u64::MAX as f64) as u64
    }
}
