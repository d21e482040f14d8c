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

-- Word captions are numbered by SEQ fields, as Word's own Insert Caption does, so cross-references
-- and a list of tables work; the field result is filled in document order ("Table 2"), as Typst
-- numbers the PDF's. Each appendix numbers its tables and figures from 1 (the first caption of a
-- kind after an appendix heading restarts the sequence), so a table has the same number in every
-- paper and in the annual report on its own.
local restart = {}

local function number_caption(caption, kind, number)
  local blocks = caption.long
  if #blocks == 0 then return caption end
  local first = blocks[1]
  if first.content then
    local switch = restart[kind] and ' \\r 1' or ''
    restart[kind] = nil
    local field = '<w:fldSimple w:instr=" SEQ ' .. kind .. ' \\* ARABIC' .. switch .. ' "><w:r><w:t>' .. number
      .. '</w:t></w:r></w:fldSimple>'
    first.content:insert(1, pandoc.Str(kind))
    first.content:insert(2, pandoc.Space())
    first.content:insert(3, pandoc.RawInline('openxml', field))
    first.content:insert(4, pandoc.Str(':'))
    first.content:insert(5, pandoc.Space())
  end
  return caption
end

-- Column widths from the content, in characters of table text (10pt). A column is at least as
-- wide as its longest word or number (so numbers never overflow and headings break only at
-- spaces, e.g. between "2019-20" and "£000"), and shares what is left by how much more it holds.
local TABLE_CHARS = 84      -- text width (16.4 cm) in average characters of 10pt table text
local CELL_PAD = 2.5        -- cell insets, in characters
local SMALL_TABLE_LINES = 12 -- tables of up to this many lines are kept on one page (a longer one breaks,
                             -- with its header repeated, rather than leave most of a page empty)

local function cell_texts(row)
  local texts = {}
  for i, cell in ipairs(row.cells) do texts[i] = pandoc.utils.stringify(cell.contents) end
  return texts
end

local function table_rows(tbl)
  local head, body = {}, {}
  for _, row in ipairs(tbl.head.rows) do table.insert(head, cell_texts(row)) end
  for _, b in ipairs(tbl.bodies) do
    for _, row in ipairs(b.body) do table.insert(body, cell_texts(row)) end
  end
  return head, body
end

local function measure(text, weight)
  local longest = 0
  for word in text:gmatch('%S+') do longest = math.max(longest, utf8.len(word) or #word) end
  return longest * weight, (utf8.len(text) or #text) * weight
end

local function column_widths(tbl)
  local head, body = table_rows(tbl)
  local n = #tbl.colspecs
  local minimum, natural = {}, {}
  for i = 1, n do minimum[i], natural[i] = 1, 1 end
  local function take(rows, weight)
    for _, row in ipairs(rows) do
      for i = 1, n do
        local low, high = measure(row[i] or '', weight)
        minimum[i] = math.max(minimum[i], low)
        natural[i] = math.max(natural[i], math.min(high, 70))
      end
    end
  end
  take(head, 1.1)  -- header text is bold
  take(body, 1.0)
  local room = TABLE_CHARS - n * CELL_PAD
  local floor, wish = 0, 0
  for i = 1, n do floor = floor + minimum[i]; wish = wish + natural[i] - minimum[i] end
  local widths = {}
  for i = 1, n do
    if floor >= room then widths[i] = minimum[i] * room / floor
    elseif wish <= room - floor then widths[i] = natural[i]
    else widths[i] = minimum[i] + (room - floor) * (natural[i] - minimum[i]) / wish end
  end
  local lines = #head
  for _, row in ipairs(body) do
    local tallest = 1
    for i = 1, n do tallest = math.max(tallest, math.ceil((utf8.len(row[i] or '') or 0) / math.max(1, widths[i]))) end
    lines = lines + tallest
  end
  for i = 1, n do widths[i] = (widths[i] + CELL_PAD) / TABLE_CHARS end
  return widths, lines
end

local tables_seen = 0    -- this appendix's tables so far (the caption number)
local tables_written = 0 -- every table so far (a label of its own for each)

-- Typst: the header row repeats on every page, headed "Table N (continued)" after the first; the
-- caption sticks to the table (template); small tables never break; rows never break (template).
local function typst_table(tbl, small)
  local written = pandoc.write(pandoc.Pandoc({tbl}), 'typst')
  tables_written = tables_written + 1
  local marker = 'cswo-table-' .. tables_written
  local continued = string.format(
    'table.cell(colspan: %d, inset: 0pt, stroke: none, fill: none)[#context { '
    .. 'if here().page() > query(<%s>).first().location().page() { '
    .. 'pad(x: 6pt, y: 4pt, emph[Table #counter(figure.where(kind: table)).display() (continued)]) } }], ',
    #tbl.colspecs, marker)
  written = written:gsub('table%.header%(', function() return 'table.header(repeat: true, ' .. continued end, 1)
  written = written:gsub('align%(center%)%[#table%(', function()
    return 'block(breakable: ' .. (small and 'false' or 'true') .. ')[#metadata(none) <' .. marker .. '>#table('
  end, 1)
  return pandoc.RawBlock('typst', written)
end

local figures_seen = 0

function Table(tbl)
  tables_seen = tables_seen + 1
  local widths, lines = column_widths(tbl)
  for i, spec in ipairs(tbl.colspecs) do tbl.colspecs[i] = {spec[1], widths[i]} end
  if FORMAT:match('docx') then
    tbl.caption = number_caption(tbl.caption, 'Table', tables_seen)
    return tbl
  elseif FORMAT:match('typst') then
    return typst_table(tbl, lines <= SMALL_TABLE_LINES)
  end
  return tbl
end

function Figure(fig)
  if FORMAT:match('docx') then
    figures_seen = figures_seen + 1
    fig.caption = number_caption(fig.caption, 'Figure', figures_seen)
    return fig
  end
  if not FORMAT:match('typst') then return nil end
  local image
  fig:walk({Image = function(img) image = img end})
  if not image then return nil end
  local alt = image.attributes['fig-alt'] or pandoc.utils.stringify(image.caption)
  -- the PDF takes the chart's vector form where the section wrote one beside the PNG
  local vector = image.src:gsub('%.png$', '.svg')
  local found = vector ~= image.src and io.open(vector, 'r')
  if found then found:close(); image.src = vector end
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

-- pandoc writes an unnumbered Typst heading with an explicit level, which would ignore the offset
-- that nests the report's chapters under its appendix heading; write it with its depth instead.
local function typst_unnumbered(h)
  local label = h.identifier ~= '' and (' <' .. h.identifier .. '>') or ''
  return pandoc.RawBlock('typst', string.format('#heading(depth: %d, numbering: none)[%s]%s',
    h.level, inlines_to_typst(h.content):gsub('%s+$', ''), label))
end

-- An appendix heading (identifier appendix-N) starts the appendix's own table and figure numbers;
-- in Word a bookmark before it marks where the appendix begins, so that its chapters can be nested
-- under it (word.py); the PDF nests the report's chapters with a heading offset (report-start).
local function appendix_start(h)
  tables_seen, figures_seen = 0, 0
  restart = {Table = true, Figure = true}
  if FORMAT:match('docx') then
    local name = h.identifier:gsub('-', '_')
    return {pandoc.RawBlock('openxml', '<w:bookmarkStart w:id="' .. (9100 + tonumber(h.identifier:match('%d+')))
      .. '" w:name="cswo_' .. name .. '"/><w:bookmarkEnd w:id="' .. (9100 + tonumber(h.identifier:match('%d+')))
      .. '"/>'), h}
  elseif FORMAT:match('typst') then
    return {pandoc.RawBlock('typst', '#set heading(offset: 0)'), typst_unnumbered(h),
      pandoc.RawBlock('typst', '#counter(figure.where(kind: table)).update(0)\n'
        .. '#counter(figure.where(kind: image)).update(0)')}
  end
  return h
end

function Header(h)
  if h.level >= 3 then h.classes:insert('unnumbered') end
  if h.level == 1 and h.identifier:match('^appendix%-%d+$') then return appendix_start(h) end
  if FORMAT:match('typst') and h.classes:includes('unnumbered') then return typst_unnumbered(h) end
  return h
end

local function xml_escape(text)
  return (text:gsub('&', '&amp;'):gsub('<', '&lt;'):gsub('>', '&gt;'))
end

-- A Word contents field. Its result is pre-filled with the headings (entries "L1 1 Introduction"),
-- so the contents read correctly before Word refreshes the field and adds page numbers.
local function toc_openxml(depth, scope, entries, offset)
  local begin = '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
    .. '<w:r><w:instrText xml:space="preserve"> TOC \\o "' .. (1 + offset) .. '-' .. (depth + offset)
    .. '" \\h \\z \\u ' .. scope
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
    local style = 'TOC' .. (tonumber(level or '1') + offset)
    table.insert(paragraphs, '<w:p><w:pPr><w:pStyle w:val="' .. style .. '"/></w:pPr>' .. runs .. '</w:p>')
  end
  return '<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/><w:docPartUnique/>'
    .. '</w:docPartObj></w:sdtPr><w:sdtContent><w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr>'
    .. '<w:r><w:t>Contents</w:t></w:r></w:p>' .. table.concat(paragraphs) .. '</w:sdtContent></w:sdt>'
end

function Div(div)
  if div.classes:includes('item-no') then
    -- the line the clerk fills with the agenda item's number, at the top right of the cover
    local text = pandoc.utils.stringify(div.content)
    if FORMAT:match('docx') then
      return pandoc.RawBlock('openxml', '<w:p><w:pPr><w:jc w:val="right"/></w:pPr><w:r><w:rPr><w:b/></w:rPr>'
        .. '<w:t xml:space="preserve">' .. xml_escape(text) .. '</w:t></w:r></w:p>')
    elseif FORMAT:match('typst') then
      return pandoc.RawBlock('typst', '#align(right)[*' .. inlines_to_typst(pandoc.utils.blocks_to_inlines(div.content))
        :gsub('%s+$', '') .. '*]')
    end
  elseif div.classes:includes('pagebreak') then
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
      -- scoped contents list the report's chapters, which sit one level under the appendix heading
      return pandoc.RawBlock('openxml', toc_openxml(tonumber(depth), scoped and '\\b annual_report ' or '', entries,
        scoped and 1 or 0))
    elseif FORMAT:match('typst') then
      -- scoped contents sit under the appendix heading, one level down (see report-start)
      local target = scoped
        and ', target: heading.where(outlined: true).after(<report-start>).before(<report-end>)' or ''
      local levels = scoped and tostring(tonumber(depth) + 1) or depth
      return pandoc.RawBlock('typst', '#outline(title: [Contents], depth: ' .. levels .. target .. ')')
    end
  elseif div.classes:includes('report-start') then
    if FORMAT:match('docx') then
      return pandoc.RawBlock('openxml', '<w:bookmarkStart w:id="9001" w:name="annual_report"/>')
    elseif FORMAT:match('typst') then
      -- the report's chapters nest under the appendix heading (H2 in the tags and bookmarks),
      -- numbered from 1 as in the annual report itself
      return pandoc.RawBlock('typst', '#metadata(none) <report-start>\n#counter(heading).update(0)\n'
        .. '#set heading(offset: 1, numbering: (..n) => { let p = n.pos().slice(1); '
        .. 'if p.len() >= 1 and p.len() <= 2 { numbering("1.1", ..p) } })')
    end
  elseif div.classes:includes('report-end') then
    if FORMAT:match('docx') then
      return pandoc.RawBlock('openxml', '<w:bookmarkEnd w:id="9001"/>')
    elseif FORMAT:match('typst') then
      return pandoc.RawBlock('typst', '#metadata(none) <report-end>\n#set heading(offset: 0)')
    end
    return {}
  elseif div.classes:includes('word-only') then
    -- e.g. a draft's note on its Word contents, whose page numbers Word fills in when it opens the file
    if FORMAT:match('docx') then return div.content end
    return {}
  elseif div.classes:includes('unnumbered-headings') then
    return div:walk({Header = function(h) h.classes:insert('unnumbered'); return h end})
  end
  return nil
end

-- A quote's attribution (its last paragraph, "— who said it") never starts a page on its own: in
-- the PDF it is set in one unbreakable block with the words before it (Word: word.py).
function BlockQuote(quote)
  if not FORMAT:match('typst') then return nil end
  local n = #quote.content
  local last = quote.content[n]
  if n < 2 or last.t ~= 'Para' or not pandoc.utils.stringify(last):match('^—') then return nil end
  local kept = pandoc.write(pandoc.Pandoc({quote.content[n - 1], last}), 'typst')
  quote.content[n - 1] = pandoc.RawBlock('typst', '#block(breakable: false)[\n' .. kept .. ']')
  quote.content:remove(n)
  return quote
end

-- A chart's Source line (a Div of class "source" after it) stays on the chart's page: the figure
-- is made sticky, as a table's caption is to its table. So do a small table's Source line and
-- notes (a Div of class "table-notes"): a small table never breaks, so it moves with them. A long
-- table is left free to break where it must (made sticky, it would leave its page to find room).
local function small_table(block)
  return block.text:match('block%(breakable: false%)%[#metadata%(none%) <cswo%-table%-') ~= nil
end

function Blocks(blocks)
  if not FORMAT:match('typst') then return nil end
  for i = 1, #blocks - 1 do
    local block, after = blocks[i], blocks[i + 1]
    if block.t == 'RawBlock' and block.format == 'typst' and after.t == 'Div'
        and ((block.text:match('^#figure%(image%(') and after.classes:includes('source'))
          or (small_table(block) and after.classes:includes('table-notes'))) then
      block.text = '#block(sticky: true)[' .. block.text .. ']'
    end
  end
  return blocks
end

-- Anchors (compose/anchors.py): an empty span leads each paragraph; Word keeps it as an empty
-- bookmark naming where the paragraph came from, for taking reviewers' edits home. The PDF has no
-- use for them.
function Span(span)
  if span.identifier:match('^cswo_') and not FORMAT:match('docx') then return {} end
end
