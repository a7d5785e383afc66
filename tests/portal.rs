//! The patient portal in a real browser: Debian's Chromium, headless, driven over WebDriver
//! (chromedriver) against a real `assent node` on loopback with `patient_consent` deployed.
//! Every process is started and stopped here; every wait is bounded and says what it waited
//! for. Screenshots go to the test's temporary directory, and also to the directory named by
//! `ASSENT_PORTAL_SCREENSHOTS` when it is set (docs/portal.md's picture comes from there).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod node_support;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use assent_ledger::Address;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use node_support::{Account, Call, Node, build, temp_dir};
use serde_json::{Value, json};

/// The longest any one wait of the test lasts before it fails.
const WAIT: Duration = Duration::from_secs(60);

/// The browser test's one helper layer: a chromedriver process, its browser session and
/// where screenshots go. Dropping it ends the session's processes.
struct Browser {
    driver: Child,
    client: Option<Client>,
    /// The browser's profile directory, which names its processes.
    profile: PathBuf,
    shots: PathBuf,
    runtime: tokio::runtime::Runtime,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and a headless Chromium session with its
    /// profile in `dir`.
    fn start(dir: &Path) -> Browser {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let port = free_port();
        let mut driver = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start chromedriver: {error} (install Debian's `chromium` and `chromium-driver`; .ci/run does)"));
        // chromedriver says when it listens: wait for that line, at most WAIT, reading its
        // output on a thread that goes on draining it afterwards.
        let stdout = driver.stdout.take().unwrap();
        let (listening, started) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut said = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !said && line.contains("started successfully") {
                    said = true;
                    let _ = listening.send(());
                }
            }
        });
        if started.recv_timeout(WAIT).is_err() {
            let _ = driver.kill();
            let _ = driver.wait();
            panic!(
                "chromedriver did not say it listens within {} s",
                WAIT.as_secs()
            );
        }

        let profile = dir.join("chromium-profile");
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium(),
                "args": [
                    "--headless=new",
                    // The tests run as root in CI, where Chromium's sandbox cannot start.
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-quic",
                    // Nothing but loopback: no name is looked up, so nothing leaves the machine.
                    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                    "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        let client = runtime.block_on(async {
            let mut builder =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
            builder.capabilities(capabilities.as_object().unwrap().clone());
            tokio::time::timeout(WAIT, builder.connect(&format!("http://127.0.0.1:{port}"))).await
        });
        let client = match client {
            Ok(Ok(client)) => client,
            failed => {
                let _ = driver.kill();
                let _ = driver.wait();
                match failed {
                    Ok(Err(error)) => panic!("cannot start a browser session: {error}"),
                    _ => panic!(
                        "chromedriver did not start a browser session within {} s",
                        WAIT.as_secs()
                    ),
                }
            }
        };
        let shots = dir.join("screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        Browser {
            driver,
            client: Some(client),
            profile,
            shots,
            runtime,
        }
    }

    fn client(&self) -> &Client {
        self.client.as_ref().unwrap()
    }

    /// Runs one WebDriver command, at most WAIT: a browser that stops answering fails the
    /// test instead of stalling it.
    fn run<T>(&self, future: impl Future<Output = T>) -> T {
        self.runtime
            .block_on(async { tokio::time::timeout(WAIT, future).await })
            .unwrap_or_else(|_| panic!("the browser did not answer within {} s", WAIT.as_secs()))
    }

    fn goto(&self, url: &str) {
        self.run(self.client().goto(url)).unwrap();
    }

    /// The first element `css` matches, waiting for it (bounded).
    fn find(&self, css: &str, what: &str) -> Element {
        let started = Instant::now();
        loop {
            if let Ok(element) = self.run(self.client().find(Locator::Css(css))) {
                return element;
            }
            if started.elapsed() > WAIT {
                self.fail(&format!("{what}: nothing matched `{css}`"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (bounded) until the script returns `true`.
    fn until(&self, script: &str, what: &str) {
        let started = Instant::now();
        loop {
            let value = self.run(self.client().execute(script, vec![]));
            if value.is_ok_and(|value| value == Value::Bool(true)) {
                return;
            }
            if started.elapsed() > WAIT {
                self.fail(what);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A script's value.
    fn eval(&self, script: &str) -> Value {
        self.run(self.client().execute(script, vec![])).unwrap()
    }

    fn text(&self, css: &str) -> String {
        let element = self.find(css, css);
        self.run(element.text()).unwrap()
    }

    fn click(&self, css: &str, what: &str) {
        let element = self.find(css, what);
        self.run(element.click()).unwrap();
    }

    /// Replaces the text of a field, waiting (bounded) until the field takes keys: a field
    /// the page is still showing or enabling refuses them ("element not interactable").
    fn type_into(&self, css: &str, text: &str) {
        let started = Instant::now();
        loop {
            let element = self.find(css, css);
            let typed = self.run(async {
                element.clear().await?;
                element.send_keys(text).await
            });
            match typed {
                Ok(()) => return,
                Err(error) if started.elapsed() > WAIT => {
                    self.fail(&format!("`{css}` to take keys ({error})"))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Writes `name.png`: into the test's directory, and into `ASSENT_PORTAL_SCREENSHOTS`
    /// when set.
    fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.run(self.client().screenshot()).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, &png).unwrap();
        if let Some(keep) = std::env::var_os("ASSENT_PORTAL_SCREENSHOTS") {
            std::fs::create_dir_all(&keep).unwrap();
            std::fs::write(Path::new(&keep).join(format!("{name}.png")), &png).unwrap();
        }
        path
    }

    /// Fails the test with what it waited for and what the page said.
    fn fail(&self, what: &str) -> ! {
        let status = self
            .run(self.client().execute(
                "return [document.getElementById('status')?.textContent, document.getElementById('act-status')?.textContent]",
                vec![],
            ))
            .map(|value| value.to_string())
            .unwrap_or_else(|error| format!("(cannot read the page: {error})"));
        let shot = self.screenshot("failure");
        panic!(
            "waited {} s for: {what}\nthe page's status lines: {status}\nscreenshot: {}",
            WAIT.as_secs(),
            shot.display()
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Closing the session ends the browser; chromedriver is then killed by its pid.
        // Never by process group: Chromium's processes leave the group (they call setsid),
        // and Debian 12's `kill` (procps-ng 4.0.2) reads `-PID` as `-1`, every process.
        if let Some(client) = self.client.take() {
            let _ = self.runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(20), client.close()).await
            });
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Whatever is left of this browser (a close that failed): its processes by pid,
        // found by the profile directory on their command lines.
        for pid in processes_mentioning(&self.profile) {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
}

/// The pids of the processes whose command line mentions `text` (none off Linux).
fn processes_mentioning(text: &Path) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let needle = text.as_os_str().as_encoded_bytes();
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|line| line.windows(needle.len()).any(|window| window == needle))
        })
        .collect()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Debian's binaries; `CHROMEDRIVER` and `CHROMIUM` override them.
fn chromedriver() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned())
}

fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Builds and deploys `contracts/patient_consent.assent` from `deployer`; its address.
fn deploy_patient_consent(node: &Node, dir: &Path, deployer: &mut Account) -> Address {
    let wasm = build(
        "contracts/patient_consent.assent",
        &dir.join("patient_consent.wasm"),
    );
    let receipt = node.transact(deployer, &Call::deploy(&wasm));
    assert_eq!(receipt["status"], "ok", "{receipt}");
    Address::from_hex(receipt["contract_address"].as_str().unwrap()).unwrap()
}

/// Calls `method` of `contract` as `account`; the receipt, whose status must be `status`.
fn act(
    node: &Node,
    account: &mut Account,
    contract: Address,
    method: &str,
    args: Value,
    status: &str,
) -> Value {
    let receipt = node.transact(account, &Call::action(contract, method, args));
    assert_eq!(receipt["status"], status, "{method}: {receipt}");
    receipt
}

/// JavaScript that makes the page's `fetch` corrupt what `assent_getProof` and
/// `assent_getReceiptProof` answer: `mode` "node" flips a byte of the proof's last trie
/// node, "value" claims another grant, "receipt" flips a byte of the receipt claimed.
fn tamper_script(mode: &str) -> String {
    format!(
        r#"
        if (!window.__fetch) window.__fetch = window.fetch;
        const mode = {mode:?};
        window.fetch = async (...args) => {{
          const response = await window.__fetch(...args);
          const text = await response.text();
          let body = JSON.parse(text);
          const fix = (answer) => {{
            const result = answer && answer.result;
            if (!result || !Array.isArray(result.proof)) return answer;
            if (mode === "node") {{
              const last = result.proof.length - 1;
              const hex = result.proof[last];
              const at = hex.length - 2;
              const flipped = (parseInt(hex.slice(at), 16) ^ 1).toString(16).padStart(2, "0");
              result.proof[last] = hex.slice(0, at) + flipped;
            }} else if (mode === "receipt" && result.receipt) {{
              const at = result.receipt.length - 2;
              const flipped = (parseInt(result.receipt.slice(at), 16) ^ 1).toString(16).padStart(2, "0");
              result.receipt = result.receipt.slice(0, at) + flipped;
            }} else if (result.value_json && result.value_json.classes) {{
              result.value_json.classes = ["Lab", "MentalHealth", "Vitals"];
            }}
            return answer;
          }};
          body = Array.isArray(body) ? body.map(fix) : fix(body);
          return new Response(JSON.stringify(body), {{ status: response.status, headers: response.headers }});
        }};
        return true;
        "#
    )
}

/// True once the page shows a patient's records (the results are visible only then).
const SHOWING: &str = "return document.getElementById('status').textContent.startsWith('Showing') \
     && !document.getElementById('results').hidden";

const UNTAMPER: &str = "if (window.__fetch) window.fetch = window.__fetch; return true;";

#[test]
fn a_patient_sees_grants_history_and_cases_and_checks_proofs_in_a_browser() {
    let dir = temp_dir("portal");
    // With the contract's source, the node explains decisions ("Why?").
    let source = node_support::repo().join("contracts/patient_consent.assent");
    let node = Node::start_with(
        &dir.join("data"),
        "0",
        &["--sources", source.to_str().unwrap()],
    );
    let mut officer = Account::dev("privacy_officer");
    let mut alice = Account::dev("alice");
    let mut dr_bob = Account::dev("dr_bob");
    let mut mallory = Account::dev("mallory");
    let mut dr_eve = Account::dev("dr_eve");
    let contract = deploy_patient_consent(&node, &dir, &mut officer);
    let until = unix_now() + 30 * 86_400;

    act(
        &node,
        &mut alice,
        contract,
        "grant",
        json!({"grantee": dr_bob.address.to_string(), "purposes": ["TREAT"], "classes": ["Lab", "Vitals"], "until": until}),
        "ok",
    );
    let patient = json!({"patient": alice.address.to_string(), "purpose": "TREAT", "class": "Lab"});
    act(
        &node,
        &mut dr_bob,
        contract,
        "access",
        patient.clone(),
        "ok",
    );
    act(&node, &mut mallory, contract, "access", patient, "aborted");
    act(
        &node,
        &mut dr_eve,
        contract,
        "break_glass",
        json!({"patient": alice.address.to_string(), "class": "Lab", "reason": "unconscious in the emergency room"}),
        "ok",
    );

    let browser = Browser::start(&dir);
    browser.goto(&format!("{}/", node.url));
    browser.until(
        "return document.getElementById('node-info').textContent.startsWith('Connected')",
        "the page to reach the node",
    );
    // A local node: alice is chosen by her development name, typed and submitted by keyboard.
    browser.until(
        "return !document.getElementById('dev-field').hidden",
        "the development-account field on a local node",
    );
    browser.type_into("#contract", &contract.to_string());
    browser.type_into("#dev-name", "alice\u{e007}");
    let bob = dr_bob.address.to_string();
    let row = format!("#grants tbody tr[data-grantee='{bob}']");
    browser.until(SHOWING, "the page to show alice's records");
    browser.find(&row, "dr_bob's grant in the list");
    assert_eq!(
        browser.eval("return document.getElementById('patient').value"),
        json!(alice.address.to_string()),
        "the patient's address derived from the name `alice`"
    );
    let grant = browser.text(&row);
    assert!(grant.contains("treatment (TREAT)"), "{grant}");
    assert!(grant.contains("Lab, Vitals"), "{grant}");

    // The access history, newest first: dr_eve's break-glass, mallory's denial, dr_bob's read.
    browser.until(
        "return document.querySelectorAll('#history tbody tr').length === 3",
        "three accesses in the history",
    );
    let history = browser.eval(
        "return [...document.querySelectorAll('#history tbody tr')].map(row => [row.dataset.actor, row.dataset.permitted, row.dataset.rule])",
    );
    assert_eq!(
        history,
        json!([
            [dr_eve.address.to_string(), "true", "break-glass"],
            [mallory.address.to_string(), "false", "default"],
            [bob, "true", "consent"],
        ])
    );
    let cases = browser.text("#cases tbody tr[data-case='1']");
    assert!(
        cases.contains("unconscious in the emergency room"),
        "{cases}"
    );
    assert!(cases.contains("awaiting review"), "{cases}");
    let guardian = browser.text("#guardian");
    assert!(guardian.contains("No guardian"), "{guardian}");

    // Verify, don't trust: the proof checks here, and fails when tampered with.
    let check = format!("{row} .check");
    let state_is = |state: &str| {
        format!("return document.querySelector(\"{check}\").dataset.state === '{state}'")
    };
    browser.click(&format!("{row} button.verify"), "the grant's Verify button");
    browser.until(&state_is("ok"), "the grant's proof to verify");
    assert!(browser.text(&check).contains("proven at block"));
    browser.screenshot("portal-grants");

    for (mode, reason) in [
        ("node", "no proof node hashes to"),
        ("value", "not the value proven"),
    ] {
        assert_eq!(browser.eval(&tamper_script(mode)), json!(true));
        browser.click(&format!("{row} button.verify"), "the grant's Verify button");
        browser.until(&state_is("failed"), "a tampered proof to fail");
        let text = browser.text(&check);
        assert!(text.contains(reason), "{mode}: {text}");
        browser.screenshot(&format!("portal-tampered-{mode}"));
        assert_eq!(browser.eval(UNTAMPER), json!(true));
    }
    browser.click(&format!("{row} button.verify"), "the grant's Verify button");
    browser.until(&state_is("ok"), "the untampered proof to verify again");

    // Each access event's receipt is proven against its block's receipts root.
    for index in 1..=3 {
        let event = format!("#history tbody tr:nth-child({index})");
        browser.click(
            &format!("{event} button.verify"),
            "an access's Verify button",
        );
        browser.until(
            &format!("return document.querySelector(\"{event} .check\").dataset.state === 'ok'"),
            "an access event's proof to verify",
        );
    }
    let bob_event = "#history tbody tr:nth-child(3)";
    for (mode, reason) in [
        ("node", "no proof node hashes to"),
        ("receipt", "not the receipt claimed"),
    ] {
        assert_eq!(browser.eval(&tamper_script(mode)), json!(true));
        browser.click(
            &format!("{bob_event} button.verify"),
            "an access's Verify button",
        );
        browser.until(
            &format!(
                "return document.querySelector(\"{bob_event} .check\").dataset.state === 'failed'"
            ),
            "a tampered access proof to fail",
        );
        let text = browser.text(&format!("{bob_event} .check"));
        assert!(text.contains(reason), "{mode}: {text}");
        assert_eq!(browser.eval(UNTAMPER), json!(true));
    }
    browser.screenshot("portal-history-proofs");

    // Who can see my lab results for treatment? alice herself and dr_bob by her consent;
    // for emergency treatment, anyone (break-glass).
    let choose = |select: &str, value: &str| {
        assert_eq!(
            browser.eval(&format!(
                "const s = document.getElementById({select:?}); s.value = {value:?}; return s.value === {value:?}"
            )),
            json!(true)
        );
    };
    choose("who-class", "Lab");
    choose("who-purpose", "TREAT");
    browser.click("#who-ask", "the Ask button");
    let permitted = "return [...document.querySelectorAll('#who-list li')].map(li => li.dataset.actor + ' ' + li.dataset.rule).join(',')";
    browser.until(
        "return document.getElementById('who-status').textContent.includes('permits:')",
        "the policy's answer to who can see",
    );
    let alice_lower = alice.address.to_string().to_lowercase();
    let bob_lower = dr_bob.address.to_string().to_lowercase();
    assert_eq!(
        browser.eval(permitted),
        json!(format!("{alice_lower} self,{bob_lower} consent"))
    );
    // Why may dr_bob? The node explains with the source it was given.
    browser.click(
        &format!("#who-list li[data-actor='{bob_lower}'] .why-button"),
        "dr_bob's Why? button",
    );
    let why = format!("#who-list li[data-actor='{bob_lower}'] pre.why");
    browser.until(
        &format!("return document.querySelector(\"{why}\").textContent.includes('decides')"),
        "the explanation of dr_bob's access",
    );
    let explanation = browser.text(&why);
    assert!(
        explanation.contains("permitted by rule \"consent\"")
            && explanation.contains("in covers: purpose in x.purposes → true"),
        "{explanation}"
    );
    choose("who-class", "MentalHealth");
    browser.click("#who-ask", "the Ask button");
    browser.until(
        "return document.getElementById('who-status').textContent.includes('permits no one')",
        "no one to see mental health notes for treatment",
    );
    browser.click(
        "#who-list li[data-actor='none'] .why-button",
        "the Why not? button",
    );
    browser.until(
        "return document.querySelector(\"#who-list li[data-actor='none'] pre.why\").textContent.includes('deny   \"sensitive\"')",
        "the explanation of the denial by rule sensitive",
    );
    choose("who-purpose", "ETREAT");
    browser.click("#who-ask", "the Ask button");
    browser.until(
        "return [...document.querySelectorAll('#who-list li')].some(li => li.dataset.actor === 'anyone' && li.dataset.rule === 'break-glass')",
        "anyone to see them in an emergency",
    );
    browser.screenshot("portal-who-can-see");

    // Every request the page made went to the node that served it.
    let origins = browser.eval(
        "return [...new Set(performance.getEntriesByType('resource').map(entry => new URL(entry.name).origin))]",
    );
    assert_eq!(
        origins,
        json!([node.url]),
        "requests outside the node's origin"
    );

    // A phone-sized window: nothing wider than the screen.
    browser
        .run(browser.client().set_window_size(390, 844))
        .unwrap();
    browser.until(
        "return document.documentElement.scrollWidth <= window.innerWidth",
        "the page to fit a phone-sized window without scrolling sideways",
    );
    browser.screenshot("portal-phone");
    browser
        .run(browser.client().set_window_size(1280, 1000))
        .unwrap();

    // Revoked: gone from the list after a reload (the page reloads from its URL).
    act(
        &node,
        &mut alice,
        contract,
        "revoke",
        json!({"grantee": bob}),
        "ok",
    );
    let url = browser.eval("return location.href");
    browser.goto(url.as_str().unwrap());
    browser.until(
        "return document.getElementById('status').textContent.startsWith('Showing') && !document.getElementById('grants-empty').hidden",
        "the list without the revoked grant",
    );
    assert_eq!(
        browser.eval(&format!(
            "return document.querySelectorAll(\"{row}\").length"
        )),
        json!(0)
    );

    // A mistyped address is refused in the page, with the field marked.
    browser.type_into("#contract", "0x1234");
    browser.click("#show", "the Show button");
    browser.until(
        "return document.getElementById('contract').getAttribute('aria-invalid') === 'true'",
        "the bad contract address to be marked",
    );
    assert!(browser.text("#status").contains("40 hex digits"));

    drop(browser);
    node.stop();
}

#[test]
fn a_patient_grants_and_revokes_signing_in_the_page() {
    let dir = temp_dir("portal-act");
    let node = Node::start(&dir.join("data"), "0");
    let mut officer = Account::dev("privacy_officer");
    let alice = Account::dev("alice");
    let carol = Account::dev("dr_carol").address.to_string();
    let contract = deploy_patient_consent(&node, &dir, &mut officer);

    let browser = Browser::start(&dir);
    browser.goto(&format!(
        "{}/?contract={contract}&patient={}",
        node.url, alice.address
    ));
    browser.until(
        "return document.getElementById('status').textContent.startsWith('Showing')",
        "the page to load alice's records from its address",
    );
    let act_status_has = |text: &str| {
        format!("return document.getElementById('act-status').textContent.includes({text:?})")
    };
    // The form: dr_carol by development name, treatment and payment, lab results.
    browser.type_into("#grantee", "dr_carol");
    assert_eq!(
        browser.eval(
            "for (const [id, values] of [['purposes', ['TREAT', 'HPAYMT']], ['classes', ['Lab']]]) \
               for (const option of document.getElementById(id).options) option.selected = values.includes(option.value); \
             return true"
        ),
        json!(true)
    );

    // A key that is not alice's is refused before anything is sent.
    browser.type_into("#secret", "bob");
    browser.click("#grant", "the Grant button");
    browser.until(&act_status_has("wrong key"), "a wrong key to be refused");
    // A date that has passed, likewise.
    browser.type_into("#secret", "alice");
    browser.eval("document.getElementById('until').value = '2020-01-01'; return true");
    browser.click("#grant", "the Grant button");
    browser.until(
        &act_status_has("has passed"),
        "an expired date to be refused",
    );

    // Signed in the page, sent, in a block: the grant is listed and its proof checks.
    browser.eval(
        "document.getElementById('until').value = new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10); return true",
    );
    browser.click("#grant", "the Grant button");
    let row = format!("#grants tbody tr[data-grantee='{carol}']");
    browser.find(&row, "dr_carol's grant, signed in the page");
    assert!(browser.text(&row).contains("payment (HPAYMT)"));
    let decision = node.result(
        "assent_call",
        &json!([{"to": contract.to_string(), "method": "may_access",
                 "args": {"patient": alice.address.to_string(), "actor": carol, "purpose": "TREAT", "class": "Lab"}}]),
    );
    assert_eq!(decision, json!({"permitted": true, "rule": "consent"}));
    browser.click(
        &format!("{row} button.verify"),
        "the new grant's Verify button",
    );
    browser.until(
        &format!("return document.querySelector(\"{row} .check\").dataset.state === 'ok'"),
        "the new grant's proof to verify",
    );
    browser.screenshot("portal-granted-in-page");

    // Revoked from its row.
    browser.click(&format!("{row} button.revoke"), "the grant's Revoke button");
    browser.until(
        &format!("return document.querySelectorAll(\"{row}\").length === 0 && document.getElementById('act-status').textContent.includes('done')"),
        "the revoked grant to leave the list",
    );

    // The node stops: the page says so.
    node.stop();
    browser.type_into("#grantee", "dr_carol");
    browser.click("#grant", "the Grant button");
    browser.until(
        &act_status_has("does not answer"),
        "a stopped node to be reported",
    );
    browser.screenshot("portal-node-down");
}

/// Twenty-three accesses: the history shows ten to a page, newest first, and pages back
/// and forth with Older and Newer without losing or repeating one.
#[test]
fn the_access_history_pages_newest_first() {
    let dir = temp_dir("portal-pages");
    let node = Node::start(&dir.join("data"), "0");
    let mut officer = Account::dev("privacy_officer");
    let mut alice = Account::dev("alice");
    let mut dr_bob = Account::dev("dr_bob");
    let contract = deploy_patient_consent(&node, &dir, &mut officer);
    act(
        &node,
        &mut alice,
        contract,
        "grant",
        json!({"grantee": dr_bob.address.to_string(), "purposes": ["TREAT", "HPAYMT"], "classes": ["Lab"], "until": unix_now() + 86_400}),
        "ok",
    );
    // Alternating purposes number the accesses: the n-th (from 0) is TREAT when n is even.
    let accesses = 23;
    for n in 0..accesses {
        let purpose = if n % 2 == 0 { "TREAT" } else { "HPAYMT" };
        act(
            &node,
            &mut dr_bob,
            contract,
            "access",
            json!({"patient": alice.address.to_string(), "purpose": purpose, "class": "Lab"}),
            "ok",
        );
    }

    let browser = Browser::start(&dir);
    browser.goto(&format!(
        "{}/?contract={contract}&patient={}",
        node.url, alice.address
    ));
    browser.until(SHOWING, "the page to show alice's records");
    let page = "return [...document.querySelectorAll('#history tbody tr')].map(row => Number(row.dataset.block))";
    let mut seen: Vec<u64> = Vec::new();
    for (number, rows) in [(1, 10), (2, 10), (3, 3)] {
        browser.until(
            &format!(
                "return document.getElementById('history-page').textContent === 'Page {number}'"
            ),
            "the history page",
        );
        let blocks: Vec<u64> = serde_json::from_value(browser.eval(page)).unwrap();
        assert_eq!(blocks.len(), rows, "page {number}: {blocks:?}");
        assert!(
            blocks.windows(2).all(|pair| pair[0] > pair[1]),
            "page {number} is not newest first: {blocks:?}"
        );
        if let Some(last) = seen.last() {
            assert!(
                blocks[0] < *last,
                "page {number} repeats or skips: {blocks:?} after {seen:?}"
            );
        }
        seen.extend(&blocks);
        let older_enabled = browser.eval("return !document.getElementById('older').disabled");
        assert_eq!(older_enabled, json!(number < 3), "Older on page {number}");
        if number < 3 {
            browser.click("#older", "the Older button");
        }
    }
    assert_eq!(seen.len(), accesses);
    browser.click("#newer", "the Newer button");
    browser.until(
        "return document.getElementById('history-page').textContent === 'Page 2'",
        "the previous page again",
    );
    let again: Vec<u64> = serde_json::from_value(browser.eval(page)).unwrap();
    assert_eq!(again, seen[10..20].to_vec());
    browser.screenshot("portal-history-page-2");
    drop(browser);
    node.stop();
}
