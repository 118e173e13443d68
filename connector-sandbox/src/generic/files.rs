//! Files of the generic tier: generated downloads (a small valid PDF, a CSV export) and
//! uploads kept as sent and served back.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use futures::StreamExt;
use serde_json::{Map, Value};

use super::Style;

/// An uploaded multipart body: its plain fields and its (first) file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Upload {
    pub(crate) fields: Map<String, Value>,
    /// Form name of the file part.
    pub(crate) field: String,
    pub(crate) filename: String,
    pub(crate) content_type: String,
    #[serde(with = "crate::state::hex_bytes")]
    pub(crate) data: Option<Vec<u8>>,
}

/// A complete multipart body as one upload (`None` when it is not one): its fields, and its
/// first file (the generic tier keeps one file per record).
pub(crate) fn parse_upload(content_type: &str, body: &[u8]) -> Option<Upload> {
    let (fields, files) = parse_form(content_type, body)?;
    let upload = match files.into_iter().next() {
        Some(file) => Upload { fields, ..file },
        None => Upload {
            fields,
            field: "file".into(),
            filename: String::new(),
            content_type: "application/octet-stream".into(),
            data: None,
        },
    };
    Some(upload)
}

/// Every part of a complete multipart body (`None` when it is not one): the plain fields with
/// Rails' bracket nesting read back (`a[b]` into an object, `a[]` into an array), and every
/// file, in order.
pub(crate) fn parse_form(
    content_type: &str,
    body: &[u8],
) -> Option<(Map<String, Value>, Vec<Upload>)> {
    let boundary = multer::parse_boundary(content_type).ok()?;
    let chunk = bytes::Bytes::copy_from_slice(body);
    let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(chunk) });
    let mut multipart = multer::Multipart::new(stream.boxed(), boundary);
    // The whole body is in memory, so every future here is ready at once.
    futures::executor::block_on(async move {
        let mut fields = Map::new();
        let mut files = Vec::new();
        while let Some(part) = multipart.next_field().await.ok()? {
            let name = part.name().unwrap_or_default().to_owned();
            match part.file_name().map(str::to_owned) {
                Some(filename) => {
                    let content_type = part
                        .content_type()
                        .map_or("application/octet-stream".to_owned(), |m| m.to_string());
                    let data = part.bytes().await.ok()?.to_vec();
                    files.push(Upload {
                        fields: Map::new(),
                        field: name,
                        filename,
                        content_type,
                        data: Some(data),
                    });
                }
                None => {
                    let text = part.text().await.ok()?;
                    nest(&mut fields, &name, Value::String(text));
                }
            }
        }
        Some((fields, files))
    })
}

/// Puts `value` at a Rails form name: `a` , `a[]`, `a[b]`, `a[b][c]`.
fn nest(into: &mut Map<String, Value>, name: &str, value: Value) {
    let (head, rest) = match name.find('[') {
        Some(i) if name.ends_with(']') => (&name[..i], &name[i..]),
        _ => {
            into.insert(name.to_owned(), value);
            return;
        }
    };
    if rest == "[]" {
        match into
            .entry(head.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            Value::Array(items) => items.push(value),
            other => *other = Value::Array(vec![value]),
        }
        return;
    }
    let close = rest.find(']').unwrap_or(rest.len() - 1);
    let key = &rest[1..close];
    let deeper = format!("{key}{}", &rest[close + 1..]);
    let slot = into
        .entry(head.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    if let Value::Object(inner) = slot {
        nest(inner, &deeper, value);
    }
}

/// A file answer: the PDF for `.pdf` paths and MOCO, a one-line CSV otherwise.
pub(crate) fn file(style: Style, path: &str) -> Response {
    let name = path.rsplit('/').next().unwrap_or("file");
    if path.ends_with(".pdf") || matches!(style, Style::Moco { .. }) {
        let filename = if name.ends_with(".pdf") {
            name.to_owned()
        } else {
            format!("{name}.pdf")
        };
        download(minimal_pdf(path), "application/pdf", &filename)
    } else {
        download(
            b"id\n".to_vec(),
            "text/csv; charset=utf-8",
            &format!("{name}.csv"),
        )
    }
}

pub(crate) fn serve_upload(upload: &Upload) -> Response {
    download(
        upload.data.clone().unwrap_or_default(),
        &upload.content_type,
        &upload.filename,
    )
}

fn download(bytes: Vec<u8>, content_type: &str, filename: &str) -> Response {
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    let disposition = format!("attachment; filename=\"{}\"", filename.replace('"', ""));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// A one-page PDF 1.4 showing `title`, with a correct cross-reference table.
pub(crate) fn minimal_pdf(title: &str) -> Vec<u8> {
    let text: String = title
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .filter(|c| !matches!(c, '(' | ')' | '\\'))
        .collect();
    let stream = format!("BT /F1 18 Tf 72 720 Td (Sandbox {text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        table.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.extend_from_slice(table.as_bytes());
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_pdf_has_a_consistent_cross_reference_table() {
        let pdf = minimal_pdf("/invoices/1.pdf");
        let text = String::from_utf8(pdf.clone()).unwrap_or_default();
        assert!(text.starts_with("%PDF-1.4") && text.ends_with("%%EOF\n"));
        let xref: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(text[xref..].starts_with("xref"));
        let offset_of_3: usize = text[xref..]
            .lines()
            .nth(5)
            .and_then(|l| l[..10].parse().ok())
            .unwrap_or(0);
        assert!(text[offset_of_3..].starts_with("3 0 obj"));
    }

    #[test]
    fn a_form_keeps_every_file_and_reads_rails_nesting_back() {
        let body = "--XX\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nhi\r\n\
--XX\r\nContent-Disposition: form-data; name=\"content_attributes[kind]\"\r\n\r\nnote\r\n\
--XX\r\nContent-Disposition: form-data; name=\"tags[]\"\r\n\r\na\r\n\
--XX\r\nContent-Disposition: form-data; name=\"tags[]\"\r\n\r\nb\r\n\
--XX\r\nContent-Disposition: form-data; name=\"attachments[]\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNG\r\n\
--XX\r\nContent-Disposition: form-data; name=\"attachments[]\"; filename=\"b.pdf\"\r\n\r\nPDF\r\n--XX--\r\n";
        let (fields, files) =
            parse_form("multipart/form-data; boundary=XX", body.as_bytes()).expect("parsed");
        assert_eq!(fields["content"], json!("hi"));
        assert_eq!(fields["content_attributes"], json!({"kind": "note"}));
        assert_eq!(fields["tags"], json!(["a", "b"]));
        let names: Vec<_> = files.iter().map(|f| f.filename.as_str()).collect();
        assert_eq!(names, ["a.png", "b.pdf"]);
        assert_eq!(files[0].content_type, "image/png");
        assert_eq!(files[1].content_type, "application/octet-stream");
        assert_eq!(files[1].data.as_deref(), Some(&b"PDF"[..]));
    }

    #[test]
    fn multipart_fields_and_file_are_read() {
        let body = "--XX\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhello\r\n--XX\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nDATA\r\n--XX--\r\n";
        let upload = parse_upload("multipart/form-data; boundary=XX", body.as_bytes());
        let upload = upload.expect("parsed");
        assert_eq!(upload.fields["title"], json!("hello"));
        assert_eq!(upload.field, "attachment");
        assert_eq!(upload.data.as_deref(), Some(&b"DATA"[..]));
    }
}
