//! Files on a form and on a ticket: choosing them (with those already sent
//! listed, so nobody uploads twice) and listing the ones attached.

use crate::domain::{AttachmentRules, FileView};
use leptos::prelude::*;

/// The file input of a form. Files a form carried before it came back are
/// listed as ticked boxes: sent again unless unticked. The form must be sent as
/// `multipart/form-data`. The rules in force are written on the input too, for
/// the picker to check files before they are sent.
#[component]
pub fn FilesField(
    /// The input's id (a page may hold several forms).
    id: &'static str,
    kept: Vec<FileView>,
    error: Option<String>,
) -> impl IntoView {
    let hint = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = if error.is_some() {
        format!("{hint} {error_id}")
    } else {
        hint.clone()
    };
    let invalid = error.is_some().then_some("true");
    let has_error = error.is_some();
    let rules = rules_in_force();
    let endings = rules.endings().collect::<Vec<_>>().join(" ");
    view! {
        <div class="field files-field" class:has-error=has_error data-test="files-field">
            <label for=id>"Attach files (optional)"</label>
            <p class="hint" id=hint.clone()>
                {rules.in_words()}
            </p>
            {error.map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })}
            {(!kept.is_empty()).then(|| view! {
                <fieldset class="kept-files">
                    <legend>"Already sent with this form"</legend>
                    {kept.into_iter().map(|f| {
                        let box_id = format!("{id}-kept-{}", f.id);
                        view! {
                            <div class="checkbox">
                                <input type="checkbox" name="kept" value=f.id.clone() id=box_id.clone() checked/>
                                <label for=box_id>{f.describe()}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
            })}
            <input type="file" id=id name="files" multiple accept=rules.accept_attribute()
                data-per-file=rules.per_file.to_string() data-endings=endings
                aria-describedby=described aria-invalid=invalid/>
        </div>
    }
}

/// The admin's rules for attachments, as the portal holds them (the field is
/// only ever rendered on the server).
fn rules_in_force() -> AttachmentRules {
    #[cfg(feature = "ssr")]
    if let Ok(state) = crate::server::web::context::app_state() {
        return state.attachment_rules.get();
    }
    AttachmentRules::default()
}

/// The files attached to one entry of a ticket. With `base` (the page's own
/// address), each links to its download under it — images as a thumbnail that
/// opens the full image; without, they are only named.
#[component]
pub fn AttachedFiles(files: Vec<FileView>, base: Option<String>) -> impl IntoView {
    (!files.is_empty()).then(|| {
        view! {
            <ul class="attachments" data-test="attachments">
                {files.into_iter().map(|f| {
                    let described = f.describe();
                    if let Some(why) = f.scan.withheld_because() {
                        return view! {
                            <li class="withheld" data-test="withheld-file">{format!("{described}: {why}.")}</li>
                        }.into_any();
                    }
                    match &base {
                        None => view! { <li>{described}</li> }.into_any(),
                        Some(base) => {
                            let href = format!("{base}/files/{}", f.id);
                            match f.thumbnail {
                                Some((width, height)) => view! {
                                    <li class="image">
                                        <a href=href.clone() data-test="attachment">
                                            <img src=format!("{href}/thumbnail") width=width height=height
                                                alt=format!("{} (image)", f.name) loading="lazy"/>
                                            <span>{described}</span>
                                        </a>
                                    </li>
                                }.into_any(),
                                None => view! {
                                    <li><a href=href download data-test="attachment">{described}</a></li>
                                }.into_any(),
                            }
                        }
                    }
                }).collect_view()}
            </ul>
        }
    })
}

/// Makes every file field of the page friendlier with JavaScript: files can be
/// dropped on it or pasted (a screenshot from the clipboard) into its form; the
/// chosen files are listed with their sizes and a button to remove each; a file
/// too large or of a type that will be refused is named at once and left out;
/// sending a form with large files says so while it goes. The field itself stays
/// a plain file input, so the form is sent exactly as without JavaScript.
///
/// The listeners sit on the document, so they also serve fields that a live
/// update puts on the page later. Lazy: its code is fetched only by pages with
/// file fields.
#[island(lazy)]
pub fn FilePicker() -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        picker::install();
        hydrated.set(true);
    });
    view! {
        <span hidden data-test="file-picker" data-hydrated=move || hydrated.get().then_some("true")></span>
    }
}

#[cfg(feature = "hydrate")]
mod picker {
    use crate::domain::{shown_inline, size_in_words, MAX_FILES, MB};
    use std::cell::Cell;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{
        ClipboardEvent, DataTransfer, Document, DomParser, DragEvent, Element, Event, File,
        FormData, HtmlButtonElement, HtmlFormElement, HtmlInputElement, ProgressEvent, SubmitEvent,
        SupportedType, XmlHttpRequest,
    };

    thread_local! {
        static INSTALLED: Cell<bool> = const { Cell::new(false) };
        static PASTED: Cell<u32> = const { Cell::new(0) };
    }

    pub fn install() {
        if INSTALLED.replace(true) {
            return;
        }
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        listen(&document, "change", |event: Event| {
            if let Some(input) = file_input_of(event.target()) {
                tidy(&input);
            }
        });
        listen(&document, "dragover", |event: Event| {
            if let Some(field) = field_of(event.target()) {
                event.prevent_default();
                let _ = field.class_list().add_1("dragging");
            }
        });
        listen(&document, "dragleave", |event: Event| {
            if let Some(field) = field_of(event.target()) {
                let _ = field.class_list().remove_1("dragging");
            }
        });
        listen(&document, "drop", |event: Event| {
            let Some(field) = field_of(event.target()) else {
                return;
            };
            event.prevent_default();
            let _ = field.class_list().remove_1("dragging");
            let dropped = event
                .dyn_ref::<DragEvent>()
                .and_then(DragEvent::data_transfer)
                .and_then(|d| d.files());
            if let (Some(input), Some(dropped)) = (input_in(&field), dropped) {
                let files: Vec<File> = (0..dropped.length())
                    .filter_map(|i| dropped.item(i))
                    .collect();
                add(&input, files);
            }
        });
        listen(&document, "paste", |event: Event| {
            let Some(form) =
                element_of(event.target()).and_then(|e| e.closest("form").ok().flatten())
            else {
                return;
            };
            let Some(input) = input_in(&form) else {
                return;
            };
            let pasted = event
                .dyn_ref::<ClipboardEvent>()
                .and_then(ClipboardEvent::clipboard_data)
                .and_then(|d| d.files());
            let Some(pasted) = pasted.filter(|p| p.length() > 0) else {
                return; // Text: pasted as usual.
            };
            event.prevent_default();
            let files = (0..pasted.length())
                .filter_map(|i| pasted.item(i))
                .map(named_screenshot)
                .collect();
            add(&input, files);
        });
        listen(&document, "submit", |event: Event| {
            let Some(form) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
            else {
                return;
            };
            let Some(input) = input_in(&form) else {
                return;
            };
            let total: f64 = chosen(&input).iter().map(|f| f.size()).sum();
            if total < MB as f64 {
                return; // Quick enough: the form goes as without JavaScript.
            }
            let submitter = event
                .dyn_ref::<SubmitEvent>()
                .and_then(SubmitEvent::submitter);
            if send_with_progress(&form, &input, submitter, total).is_ok() {
                event.prevent_default();
            }
        });
    }

    /// Sends the form as the browser would (its fields, its files and the
    /// button pressed), saying how much has gone. Then the browser goes where
    /// the answer leads; a form that comes back with problems is shown in place
    /// (its files are kept, as without JavaScript).
    fn send_with_progress(
        form: &HtmlFormElement,
        input: &HtmlInputElement,
        submitter: Option<web_sys::HtmlElement>,
        total: f64,
    ) -> Result<(), JsValue> {
        let data = FormData::new_with_form(form)?;
        if let Some(button) = submitter.and_then(|b| b.dyn_into::<HtmlButtonElement>().ok()) {
            if !button.name().is_empty() {
                data.append_with_str(&button.name(), &button.value())?;
            }
        }
        let action = form.action();
        let request = XmlHttpRequest::new()?;
        request.open("POST", &action)?;
        let size = size_in_words(total as u64);
        let message = status(input, &format!("Sending {size} of files: 0 %"));
        let buttons = form.query_selector_all("button[type=submit], button:not([type])")?;
        let enable = move |on: bool| {
            for i in 0..buttons.length() {
                if let Some(button) = buttons
                    .item(i)
                    .and_then(|b| b.dyn_into::<HtmlButtonElement>().ok())
                {
                    button.set_disabled(!on);
                }
            }
        };
        enable(false);
        let shown = message.clone();
        let progress = Closure::<dyn Fn(ProgressEvent)>::new(move |event: ProgressEvent| {
            if event.length_computable() && event.total() > 0.0 {
                let percent = (event.loaded() / event.total() * 100.0).floor();
                if let Some((text, bar)) = &shown {
                    text.set_text_content(Some(&format!(
                        "Sending {size} of files: {percent} %. Please keep this page open."
                    )));
                    let _ = bar.set_attribute("value", &percent.to_string());
                }
            }
        });
        request
            .upload()?
            .set_onprogress(Some(progress.as_ref().unchecked_ref()));
        progress.forget();
        let answered = request.clone();
        let failed_message = message.clone();
        let enable_again = enable.clone();
        let done = Closure::<dyn Fn()>::new(move || {
            let status = answered.status().unwrap_or(0);
            let url = answered.response_url();
            let text = answered.response_text().ok().flatten().unwrap_or_default();
            let html = answered
                .get_response_header("content-type")
                .ok()
                .flatten()
                .is_some_and(|t| t.starts_with("text/html"));
            let Some(window) = web_sys::window() else {
                return;
            };
            if status == 0 {
                fail(
                    &failed_message,
                    "The files could not be sent: check the connection, then send the form again.",
                );
                enable_again(true);
            } else if (200..300).contains(&status) && url != action {
                // Sent, and sent on (303) to the page that shows the result.
                let _ = window.location().assign(&url);
            } else if html {
                show_page(&window, &text);
            } else {
                fail(&failed_message, &text);
                enable_again(true);
            }
        });
        request.set_onloadend(Some(done.as_ref().unchecked_ref()));
        done.forget();
        request.send_with_opt_form_data(Some(&data))
    }

    /// Puts the page the server answered with in place of this one.
    fn show_page(window: &web_sys::Window, html: &str) {
        let Some(document) = window.document() else {
            return;
        };
        let parsed = DomParser::new()
            .and_then(|p| p.parse_from_string(html, SupportedType::TextHtml))
            .ok();
        let (Some(body), Some(new_body)) =
            (document.body(), parsed.as_ref().and_then(|d| d.body()))
        else {
            return;
        };
        body.set_inner_html(&new_body.inner_html());
        if let Some(parsed) = parsed {
            document.set_title(&parsed.title());
        }
        window.scroll_to_with_x_and_y(0.0, 0.0);
        if let Some(summary) = document
            .query_selector(".error-summary, [role=alert]")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = summary.set_attribute("tabindex", "-1");
            let _ = summary.focus();
        }
    }

    fn fail(message: &Option<(Element, Element)>, why: &str) {
        if let Some((text, bar)) = message {
            text.set_text_content(Some(why));
            bar.remove();
        }
    }

    fn listen(document: &Document, kind: &str, handler: impl Fn(Event) + 'static) {
        let handler = Closure::<dyn Fn(Event)>::new(handler);
        let _ = document.add_event_listener_with_callback(kind, handler.as_ref().unchecked_ref());
        handler.forget();
    }

    fn element_of(target: Option<web_sys::EventTarget>) -> Option<Element> {
        target.and_then(|t| t.dyn_into::<Element>().ok())
    }

    fn field_of(target: Option<web_sys::EventTarget>) -> Option<Element> {
        element_of(target).and_then(|e| e.closest(".files-field").ok().flatten())
    }

    fn input_in(scope: &Element) -> Option<HtmlInputElement> {
        scope
            .query_selector("input[type=file][name=files]")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into().ok())
    }

    fn file_input_of(target: Option<web_sys::EventTarget>) -> Option<HtmlInputElement> {
        target
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            .filter(|i| i.type_() == "file" && i.name() == "files")
    }

    fn chosen(input: &HtmlInputElement) -> Vec<File> {
        input
            .files()
            .map(|list| (0..list.length()).filter_map(|i| list.item(i)).collect())
            .unwrap_or_default()
    }

    /// A pasted image is called "image.png" by every browser: give it a name of its own.
    fn named_screenshot(file: File) -> File {
        if file.name() != "image.png" {
            return file;
        }
        let n = PASTED.with(|p| {
            p.set(p.get() + 1);
            p.get()
        });
        let parts = js_sys::Array::of1(&file);
        let options = web_sys::FilePropertyBag::new();
        options.set_type(&file.type_());
        File::new_with_blob_sequence_and_options(
            &parts,
            &format!("pasted screenshot {n}.png"),
            &options,
        )
        .unwrap_or(file)
    }

    /// Adds `files` to what the input holds, then tidies.
    fn add(input: &HtmlInputElement, files: Vec<File>) {
        let mut all = chosen(input);
        all.extend(files);
        set(input, &all);
        tidy(input);
    }

    fn set(input: &HtmlInputElement, files: &[File]) {
        let Ok(transfer) = DataTransfer::new() else {
            return;
        };
        for file in files {
            let _ = transfer.items().add_with_file(file);
        }
        input.set_files(transfer.files().as_ref());
    }

    /// Leaves out what the server would refuse, saying why, and lists the rest.
    fn tidy(input: &HtmlInputElement) {
        // The rules in force, as the server wrote them on the input.
        let per_file = input
            .get_attribute("data-per-file")
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::INFINITY);
        let endings = input.get_attribute("data-endings").unwrap_or_default();
        let accepted = |ending: &str| endings.split(' ').any(|e| e == ending);
        let mut kept = Vec::new();
        let mut problems = Vec::new();
        for file in chosen(input) {
            let name = file.name();
            let ending = name
                .rsplit_once('.')
                .map(|(_, e)| e.to_ascii_lowercase())
                .unwrap_or_default();
            if file.size() > per_file {
                problems.push(format!(
                    "{name} is larger than {}, the most one file may be: it was left out.",
                    size_in_words(per_file as u64)
                ));
            } else if file.size() == 0.0 {
                problems.push(format!("{name} is empty: it was left out."));
            } else if !accepted(&ending) && !(shown_inline(&file.type_()) && accepted("png")) {
                problems.push(format!(
                    "{name} is not of a type that can be attached: it was left out."
                ));
            } else if kept.len() >= MAX_FILES {
                problems.push(format!(
                    "{name} was left out: a form takes at most {MAX_FILES} files."
                ));
            } else {
                kept.push(file);
            }
        }
        if !problems.is_empty() {
            set(input, &kept);
        }
        render(input, &kept, &problems);
    }

    /// The list after the input: each file with its size and a remove button.
    fn render(input: &HtmlInputElement, files: &[File], problems: &[String]) {
        let Some(document) = input.owner_document() else {
            return;
        };
        let list = match next_list(input) {
            Some(list) => list,
            None => {
                let Ok(list) = document.create_element("div") else {
                    return;
                };
                list.set_class_name("chosen-files");
                let _ = list.set_attribute("aria-live", "polite");
                let _ = list.set_attribute("data-test", "chosen-files");
                let _ = input.after_with_node_1(&list);
                list
            }
        };
        list.set_inner_html("");
        for problem in problems {
            if let Ok(p) = document.create_element("p") {
                p.set_class_name("field-error");
                p.set_text_content(Some(problem));
                let _ = list.append_child(&p);
            }
        }
        let Ok(ul) = document.create_element("ul") else {
            return;
        };
        for (index, file) in files.iter().enumerate() {
            let (Ok(li), Ok(button)) = (
                document.create_element("li"),
                document.create_element("button"),
            ) else {
                continue;
            };
            li.set_text_content(Some(&format!(
                "{} ({})",
                file.name(),
                size_in_words(file.size() as u64)
            )));
            let _ = button.set_attribute("type", "button");
            button.set_class_name("link-button");
            button.set_text_content(Some("Remove"));
            let _ = button.set_attribute("aria-label", &format!("Remove {}", file.name()));
            let input = input.clone();
            let remove = Closure::<dyn Fn()>::new(move || {
                let mut files = chosen(&input);
                if index < files.len() {
                    files.remove(index);
                }
                set(&input, &files);
                tidy(&input);
                let _ = input.focus();
            });
            let _ =
                button.add_event_listener_with_callback("click", remove.as_ref().unchecked_ref());
            remove.forget();
            let _ = li.append_child(&button);
            let _ = ul.append_child(&li);
        }
        let _ = list.append_child(&ul);
    }

    fn next_list(input: &HtmlInputElement) -> Option<Element> {
        input
            .next_element_sibling()
            .filter(|e| e.class_list().contains("chosen-files"))
    }

    /// A message under the input while the form is being sent, with a
    /// progress bar: (the message, the bar).
    fn status(input: &HtmlInputElement, message: &str) -> Option<(Element, Element)> {
        let document = input.owner_document()?;
        let p = document.create_element("p").ok()?;
        p.set_class_name("sending");
        let _ = p.set_attribute("role", "status");
        let text = document.create_element("span").ok()?;
        text.set_text_content(Some(message));
        let bar = document.create_element("progress").ok()?;
        let _ = bar.set_attribute("max", "100");
        let _ = bar.set_attribute("value", "0");
        let _ = p.append_child(&text);
        let _ = p.append_child(&bar);
        let _ = input.after_with_node_1(&p);
        let _ = input.blur();
        Some((text, bar))
    }
}
