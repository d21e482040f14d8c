-- Pandoc filter shared by the Word and PDF writers.
-- * Images keep their fig-alt as alt text (pandoc would otherwise use the caption).
-- * Headings inside the cover report, the appendix title and level 3+ are unnumbered.
-- * Divs with class pagebreak / toc become the writer's own page break and contents.

local function typst_escape(text)
  return (text:gsub('\\', '\\\\'):gsub('"', '\\"'))
end

local function inlines_to_typst(inlines)
  return pandoc.write(pandoc.Pandoc({pandoc.Plain(inlines)}), 'typst')
end

-- Word has no caption numbering of its own (Typst numbers figures and tables itself), so number
-- captions here, in document order, as the PDF does: "Figure 3: ...", "Table 2: ...".
local figures_seen, tables_seen = 0, 0

local function number_caption(caption, label)
  local blocks = caption.long
  if #blocks == 0 then return caption end
  local first = blocks[1]
  if first.content then
    first.content:insert(1, pandoc.Str(label .. ':'))
    first.content:insert(2, pandoc.Space())
  end
  return caption
end

function Table(tbl)
  if not FORMAT:match('docx') then return nil end
  tables_seen = tables_seen + 1
  tbl.caption = number_caption(tbl.caption, 'Table ' .. tables_seen)
  return tbl
end

function Figure(fig)
  if FORMAT:match('docx') then
    figures_seen = figures_seen + 1
    fig.caption = number_caption(fig.caption, 'Figure ' .. figures_seen)
    return fig
  end
  if not FORMAT:match('typst') then return nil end
  local image
  fig:walk({Image = function(img) image = img end})
  if not image then return nil end
  local alt = image.attributes['fig-alt'] or pandoc.utils.stringify(image.caption)
  local caption = inlines_to_typst(pandoc.utils.blocks_to_inlines(fig.caption.long))
  caption = caption:gsub('%s+$', '')
  local label = fig.identifier ~= '' and (' <' .. fig.identifier .. '>') or ''
  return pandoc.RawBlock('typst', string.format(
    '#figure(image("%s", width: 100%%, alt: "%s"), caption: [%s])%s',
    typst_escape(image.src), typst_escape(alt), caption, label))
end

function Image(img)
  local alt = img.attributes['fig-alt']
  if alt then
    img.caption = pandoc.Inlines({pandoc.Str(alt)})
    img.attributes['fig-alt'] = nil
  end
  return img
end

function Header(h)
  if h.level >= 3 then h.classes:insert('unnumbered') end
  return h
end

local function xml_escape(text)
  return (text:gsub('&', '&amp;'):gsub('<', '&lt;'):gsub('>', '&gt;'))
end

-- A Word contents field. Its result is pre-filled with the headings (entries "L1 1 Introduction"),
-- so the contents read correctly before Word refreshes the field and adds page numbers.
local function toc_openxml(depth, scope, entries)
  local begin = '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
    .. '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-' .. depth .. '" \\h \\z \\u ' .. scope
    .. '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
  local finish = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
  if #entries == 0 then
    entries = {'L1 Right-click and choose Update Field to show the contents.'}
  end
  local paragraphs = {}
  for i, entry in ipairs(entries) do
    local level, text = entry:match('^L(%d) (.*)$')
    local runs = '<w:r><w:t xml:space="preserve">' .. xml_escape(text or entry) .. '</w:t></w:r>'
    if i == 1 then runs = begin .. runs end
    if i == #entries then runs = runs .. finish end
    table.insert(paragraphs, '<w:p><w:pPr><w:pStyle w:val="TOC' .. (level or '1') .. '"/></w:pPr>' .. runs .. '</w:p>')
  end
  return '<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/><w:docPartUnique/>'
    .. '</w:docPartObj></w:sdtPr><w:sdtContent><w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr>'
    .. '<w:r><w:t>Contents</w:t></w:r></w:p>' .. table.concat(paragraphs) .. '</w:sdtContent></w:sdt>'
end

function Div(div)
  if div.classes:includes('pagebreak') then
    if FORMAT:match('docx') then
      return pandoc.RawBlock('openxml', '<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
    elseif FORMAT:match('typst') then
      return pandoc.RawBlock('typst', '#pagebreak()')
    end
  elseif div.classes:includes('toc') then
    -- inside a committee paper the contents cover the annual report only
    local scoped = div.attributes['scope'] == 'report'
    local depth = div.attributes['depth'] or '2'
    if FORMAT:match('docx') then
      local entries = {}
      for _, block in ipairs(div.content) do table.insert(entries, pandoc.utils.stringify(block)) end
      return pandoc.RawBlock('openxml', toc_openxml(depth, scoped and '\\b annual_report ' or '', entries))
    elseif FORMAT:match('typst') then
      local target = scoped and ', target: heading.where(outlined: true).after(<report-start>)' or ''
      return pandoc.RawBlock('typst', '#outline(title: [Contents], depth: ' .. depth .. target .. ')')
    end
  elseif div.classes:includes('report-start') then
    if FORMAT:match('docx') then
      return pandoc.RawBlock('openxml', '<w:bookmarkStart w:id="9001" w:name="annual_report"/>')
    elseif FORMAT:match('typst') then
      return pandoc.RawBlock('typst', '#metadata(none) <report-start>\n#counter(heading).update(0)')
    end
  elseif div.classes:includes('report-end') then
    if FORMAT:match('docx') then
      return pandoc.RawBlock('openxml', '<w:bookmarkEnd w:id="9001"/>')
    end
    return {}
  elseif div.classes:includes('unnumbered-headings') then
    return div:walk({Header = function(h) h.classes:insert('unnumbered'); return h end})
  end
  return nil
end
