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

function Figure(fig)
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

local TOC_OPENXML = [[
<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/><w:docPartUnique/></w:docPartObj></w:sdtPr>
<w:sdtContent><w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr><w:r><w:t>Contents</w:t></w:r></w:p>
<w:p><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r><w:r><w:instrText xml:space="preserve"> TOC \o "1-%s" \h \z \u %s</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Right-click and choose Update Field to show the contents.</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>
</w:sdtContent></w:sdt>]]

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
      return pandoc.RawBlock('openxml', string.format(TOC_OPENXML, depth, scoped and '\\b annual_report ' or ''))
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
