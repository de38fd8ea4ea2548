//! Files on a form and on a ticket: choosing them (with those already sent
//! listed, so nobody uploads twice) and listing the ones attached.

use crate::domain::{FileView, ACCEPTED_IN_WORDS, ACCEPT_ATTRIBUTE, MAX_FILES};
use leptos::prelude::*;

/// The file input of a form. Files a form carried before it came back are
/// listed as ticked boxes: sent again unless unticked. The form must be sent as
/// `multipart/form-data`.
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
    view! {
        <div class="field files-field" class:has-error=has_error data-test="files-field">
            <label for=id>"Attach files (optional)"</label>
            <p class="hint" id=hint.clone()>
                {format!("Up to {MAX_FILES} files of at most 25 MB each: {ACCEPTED_IN_WORDS}.")}
            </p>
            {error.map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })}
            {(!kept.is_empty()).then(|| view! {
                <fieldset class="kept-files">
                    <legend>"Already sent with this form"</legend>
                    {kept.into_iter().map(|f| {
                        let box_id = format!("{id}-kept-{}", f.id);
                        view! {
                            <div class="choice">
                                <input type="checkbox" name="kept" value=f.id.clone() id=box_id.clone() checked/>
                                <label for=box_id>{f.describe()}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
            })}
            <input type="file" id=id name="files" multiple accept=ACCEPT_ATTRIBUTE
                aria-describedby=described aria-invalid=invalid/>
        </div>
    }
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
    use crate::domain::{accepted_ending, size_in_words, MAX_FILES, MB};
    use std::cell::Cell;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{
        ClipboardEvent, DataTransfer, Document, DragEvent, Element, Event, File, HtmlFormElement,
        HtmlInputElement,
    };

    /// As the server: the most one file may be.
    const PER_FILE: f64 = (25 * MB) as f64;
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
            if total >= MB as f64 {
                status(
                    &input,
                    &format!(
                        "Sending {} of files… this can take a moment; please keep this page open.",
                        size_in_words(total as u64)
                    ),
                );
            }
        });
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
        let mut kept = Vec::new();
        let mut problems = Vec::new();
        for file in chosen(input) {
            let name = file.name();
            let ending = name
                .rsplit_once('.')
                .map(|(_, e)| e.to_ascii_lowercase())
                .unwrap_or_default();
            if file.size() > PER_FILE {
                problems.push(format!(
                    "{name} is larger than 25 MB, the most one file may be: it was left out."
                ));
            } else if file.size() == 0.0 {
                problems.push(format!("{name} is empty: it was left out."));
            } else if !accepted_ending(&ending) && !file.type_().starts_with("image/") {
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

    /// A message under the input while the form is being sent.
    fn status(input: &HtmlInputElement, message: &str) {
        let Some(document) = input.owner_document() else {
            return;
        };
        if let Ok(p) = document.create_element("p") {
            p.set_class_name("sending");
            let _ = p.set_attribute("role", "status");
            p.set_text_content(Some(message));
            if let Ok(progress) = document.create_element("progress") {
                let _ = p.append_child(&progress);
            }
            let _ = input.after_with_node_1(&p);
        }
        let _ = input.blur();
    }
}
