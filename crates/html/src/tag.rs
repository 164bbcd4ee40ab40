//! Element names the extractor cares about, interned as one byte each so that
//! the hot loops compare integers instead of strings.

/// An HTML element name. Names outside this list are [`Tag::Other`]; the
/// document keeps their spelled name for end-tag matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Tag {
    A, Abbr, Address, Area, Article, Aside, Audio, B, Base, Bdi, Bdo, Blockquote, Body, Br,
    Button, Canvas, Caption, Center, Cite, Code, Col, Colgroup, Dd, Del, Details, Dfn, Dialog,
    Div, Dl, Dt, Em, Embed, Fieldset, Figcaption, Figure, Font, Footer, Form, Frame, Frameset,
    H1, H2, H3, H4, H5, H6, Head, Header, Hgroup, Hr, Html, I, Iframe, Img, Input, Ins, Kbd,
    Label, Legend, Li, Link, Main, Map, Mark, Math, Menu, Meta, Meter, Nav, Noembed, Noframes,
    Noscript, Object, Ol, Optgroup, Option, Output, P, Param, Picture, Pre, Progress, Q, S,
    Samp, Script, Section, Select, Small, Source, Span, Strike, Strong, Style, Sub, Summary,
    Sup, Svg, Table, Tbody, Td, Template, Textarea, Tfoot, Th, Thead, Time, Title, Tr, Track,
    Tt, U, Ul, Var, Video, Wbr, Xmp, Other,
}

impl Tag {
    /// Maps a lower-case element name to its tag.
    pub fn from_lowercase(name: &[u8]) -> Tag {
        use Tag::*;
        match name {
            b"a" => A, b"abbr" => Abbr, b"address" => Address, b"area" => Area,
            b"article" => Article, b"aside" => Aside, b"audio" => Audio, b"b" => B,
            b"base" => Base, b"bdi" => Bdi, b"bdo" => Bdo, b"blockquote" => Blockquote,
            b"body" => Body, b"br" => Br, b"button" => Button, b"canvas" => Canvas,
            b"caption" => Caption, b"center" => Center, b"cite" => Cite, b"code" => Code,
            b"col" => Col, b"colgroup" => Colgroup, b"dd" => Dd, b"del" => Del,
            b"details" => Details, b"dfn" => Dfn, b"dialog" => Dialog, b"div" => Div,
            b"dl" => Dl, b"dt" => Dt, b"em" => Em, b"embed" => Embed, b"fieldset" => Fieldset,
            b"figcaption" => Figcaption, b"figure" => Figure, b"font" => Font,
            b"footer" => Footer, b"form" => Form, b"frame" => Frame, b"frameset" => Frameset,
            b"h1" => H1, b"h2" => H2, b"h3" => H3, b"h4" => H4, b"h5" => H5, b"h6" => H6,
            b"head" => Head, b"header" => Header, b"hgroup" => Hgroup, b"hr" => Hr,
            b"html" => Html, b"i" => I, b"iframe" => Iframe, b"img" => Img, b"input" => Input,
            b"ins" => Ins, b"kbd" => Kbd, b"label" => Label, b"legend" => Legend, b"li" => Li,
            b"link" => Link, b"main" => Main, b"map" => Map, b"mark" => Mark, b"math" => Math,
            b"menu" => Menu, b"meta" => Meta, b"meter" => Meter, b"nav" => Nav,
            b"noembed" => Noembed, b"noframes" => Noframes, b"noscript" => Noscript,
            b"object" => Object, b"ol" => Ol, b"optgroup" => Optgroup, b"option" => Option,
            b"output" => Output, b"p" => P, b"param" => Param, b"picture" => Picture,
            b"pre" => Pre, b"progress" => Progress, b"q" => Q, b"s" => S, b"samp" => Samp,
            b"script" => Script, b"section" => Section, b"select" => Select, b"small" => Small,
            b"source" => Source, b"span" => Span, b"strike" => Strike, b"strong" => Strong,
            b"style" => Style, b"sub" => Sub, b"summary" => Summary, b"sup" => Sup,
            b"svg" => Svg, b"table" => Table, b"tbody" => Tbody, b"td" => Td,
            b"template" => Template, b"textarea" => Textarea, b"tfoot" => Tfoot, b"th" => Th,
            b"thead" => Thead, b"time" => Time, b"title" => Title, b"tr" => Tr,
            b"track" => Track, b"tt" => Tt, b"u" => U, b"ul" => Ul, b"var" => Var,
            b"video" => Video, b"wbr" => Wbr, b"xmp" => Xmp,
            _ => Other,
        }
    }

    /// Elements that never have children or an end tag.
    pub fn is_void(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Area | Base | Br | Col | Embed | Hr | Img | Input | Link | Meta | Param | Source
                | Track | Wbr | Frame
        )
    }

    /// Elements whose content is raw text up to the matching end tag.
    pub fn is_raw_text(self) -> bool {
        use Tag::*;
        matches!(self, Script | Style | Xmp | Iframe | Noembed | Noframes | Noscript | Textarea | Title)
    }

    /// Elements that start a new line of text when rendered: the extractor
    /// separates their text from their neighbours'.
    pub fn is_block(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Address | Article | Aside | Blockquote | Body | Br | Caption | Center | Dd | Details
                | Dialog | Div | Dl | Dt | Fieldset | Figcaption | Figure | Footer | Form | H1
                | H2 | H3 | H4 | H5 | H6 | Header | Hgroup | Hr | Html | Legend | Li | Main
                | Menu | Nav | Ol | P | Pre | Section | Summary | Table | Tbody | Td | Tfoot
                | Th | Thead | Tr | Ul | Title | Option | Select | Textarea
        )
    }

    /// Block elements whose start closes an open `<p>`, as browsers do.
    pub(crate) fn closes_p(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Address | Article | Aside | Blockquote | Center | Details | Dialog | Div | Dl
                | Fieldset | Figcaption | Figure | Footer | Form | H1 | H2 | H3 | H4 | H5 | H6
                | Header | Hgroup | Hr | Main | Menu | Nav | Ol | P | Pre | Section | Summary
                | Table | Ul | Li | Dd | Dt
        )
    }

    /// Headings `h1`–`h6`.
    pub fn is_heading(self) -> bool {
        matches!(self, Tag::H1 | Tag::H2 | Tag::H3 | Tag::H4 | Tag::H5 | Tag::H6)
    }

    /// Elements that bound the search for an open element to close: an end
    /// tag or implied close never reaches past them.
    pub(crate) fn is_scope_boundary(self) -> bool {
        use Tag::*;
        matches!(self, Html | Table | Td | Th | Caption | Template | Object | Button | Svg | Math)
    }
}
