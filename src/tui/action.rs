//! The one action registry: every action the user can take, with its snake_case name, the
//! scope its keys live in and a doc line in both languages. Keymap files, the help overlay,
//! the `:` palette and the README key table are all built from [`ACTIONS`].

use crate::i18n::Lang;

/// Where an action's key bindings apply; also the help overlay's groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Everywhere outside text input (and with a modifier, inside it too).
    Global,
    /// Moving through any list: the tree, the help, the history.
    List,
    /// Pane 1, the catalog trees.
    Catalog,
    /// Pane 4, bundles and the merge preview.
    Bundles,
    /// The welcome screen of an empty store.
    Welcome,
    /// The edit form.
    Editor,
    /// Pane 2, the 数据元 element pool.
    Elements,
    /// The element picker overlay and pane 4's item picker (query line, results).
    Picker,
    /// Pane 3, the 表单 form list and designer.
    Forms,
    /// Pane 3's applicant preview while values are typed into it.
    Preview,
    /// Pane 5, statistics.
    Stats,
}

impl Scope {
    /// Every scope, in help order.
    pub const ALL: [Scope; 11] = [
        Scope::Global,
        Scope::List,
        Scope::Catalog,
        Scope::Elements,
        Scope::Picker,
        Scope::Forms,
        Scope::Preview,
        Scope::Bundles,
        Scope::Stats,
        Scope::Editor,
        Scope::Welcome,
    ];

    /// The table name in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::List => "list",
            Scope::Catalog => "catalog",
            Scope::Bundles => "bundles",
            Scope::Welcome => "welcome",
            Scope::Editor => "editor",
            Scope::Elements => "elements",
            Scope::Picker => "picker",
            Scope::Forms => "forms",
            Scope::Preview => "preview",
            Scope::Stats => "stats",
        }
    }

    /// The heading in the help overlay.
    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Scope::Global => lang.pick("全局", "Global"),
            Scope::List => lang.pick("列表移动", "Lists"),
            Scope::Catalog => lang.pick("1 事项目录", "1 事项 Catalog"),
            Scope::Bundles => lang.pick("4 主题与多表合一", "4 主题 Bundles & merge"),
            Scope::Welcome => lang.pick("欢迎页", "Welcome"),
            Scope::Editor => lang.pick("编辑表单", "Edit form"),
            Scope::Elements => lang.pick("2 数据元", "2 数据元 Elements"),
            Scope::Picker => lang.pick(
                "选择器（数据元、事项、牵头部门）",
                "Pickers (数据元 elements, 事项 items, 牵头部门 lead agency)",
            ),
            Scope::Forms => lang.pick("3 表单设计", "3 表单 Forms"),
            Scope::Preview => lang.pick("表单预览（填写示例值）", "Form preview (sample values)"),
            Scope::Stats => lang.pick("5 统计", "5 统计 Statistics"),
        }
    }

    /// Parses a keymap table name.
    pub fn parse(name: &str) -> Option<Scope> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

macro_rules! actions {
    ($($variant:ident $name:literal $scope:ident $zh:literal $en:literal;)*) => {
        /// Something the user can do.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $(#[doc = $en] $variant,)*
        }

        /// Every action, in help order.
        pub const ACTIONS: &[ActionDef] = &[
            $(ActionDef { action: Action::$variant, name: $name, scope: Scope::$scope, zh: $zh, en: $en },)*
        ];
    };
}

actions! {
    Quit "quit" Global "退出（有未保存的修改时先询问）" "quit (asks first when there are unsaved changes)";
    Help "help" Global "显示/关闭按键帮助" "show or close this key help";
    Palette "palette" Global "命令面板：按名称或说明模糊查找动作" "command palette: find an action by name or doc";
    PaneNext "pane_next" Global "下一个窗格" "next pane";
    PanePrev "pane_prev" Global "上一个窗格" "previous pane";
    Pane1 "pane_catalog" Global "窗格 1：事项目录" "pane 1: 事项 catalog trees";
    Pane2 "pane_elements" Global "窗格 2：数据元" "pane 2: 数据元 elements";
    Pane3 "pane_forms" Global "窗格 3：表单" "pane 3: 表单 forms";
    Pane4 "pane_bundles" Global "窗格 4：主题与多表合一" "pane 4: 主题 bundles & merge";
    Pane5 "pane_stats" Global "窗格 5：统计" "pane 5: 统计 statistics";
    Back "back" Global "返回/关闭（从不删除或丢弃）" "back or close (never deletes or discards)";
    ImportFile "import_file" Global "导入文件：JSON、XLSX、CSV（或目录）、部门-主项-子项目录，全部或全无" "import a file: JSON, XLSX, CSV (or a directory), county catalog; all or nothing";
    ExportFile "export_file" Global "导出：JSON、XLSX 或 CSV（按扩展名；以 / 结尾为 CSV 目录）" "export: JSON, XLSX or CSV (by extension; a path ending in / is a CSV directory)";
    SelectNext "select_next" List "下移一行" "move down one row";
    SelectPrev "select_prev" List "上移一行" "move up one row";
    PageDown "page_down" List "下翻一页" "move down one page";
    PageUp "page_up" List "上翻一页" "move up one page";
    SelectFirst "select_first" List "到第一行" "go to the first row";
    SelectLast "select_last" List "到最后一行" "go to the last row";
    Open "open" Catalog "展开/折叠所选节点" "expand or collapse the selected node";
    Expand "expand" Catalog "展开所选节点（已展开则进入第一个下级）" "expand the selected node (if open, go to its first child)";
    Collapse "collapse" Catalog "折叠所选节点（已折叠则到上级）" "collapse the selected node (if closed, go to its parent)";
    ExpandAll "expand_all" Catalog "全部展开" "expand every node";
    CollapseAll "collapse_all" Catalog "全部折叠" "collapse every node";
    Parent "parent" Catalog "跳到上级节点" "jump to the parent node";
    CycleGrouping "cycle_grouping" Catalog "事项分组：层级 -> 实施主体 -> 行政区划 -> 事项类型" "group items: by level -> agency -> region -> item type";
    NextList "next_list" Catalog "切换列表：事项 -> 材料 -> 主题" "switch list: 事项 items -> 材料 materials -> 主题 bundles";
    PrevList "prev_list" Catalog "反向切换列表" "switch list backwards";
    Filter "filter" Catalog "筛选（保留匹配项的上级，高亮匹配文字）" "filter (keeps the ancestors of matches, highlights matched text)";
    NextMatch "next_match" Catalog "下一个匹配" "next match";
    PrevMatch "prev_match" Catalog "上一个匹配" "previous match";
    Edit "edit" Catalog "编辑所选记录" "edit the selected record";
    Add "add" Catalog "新增下级（材料/主题列表中新增一条）" "add a child (in the material or bundle list: a new record)";
    Copy "copy" Catalog "复制所选记录" "copy the selected record";
    Delete "delete" Catalog "删除所选记录（先确认；被引用时拒绝）" "delete the selected record (asks first; refused while referenced)";
    Submit "submit" Catalog "提交审核（待提交/退回 -> 待审核）" "submit for review (draft/returned -> submitted)";
    Return "return" Catalog "退回（待审核 -> 退回）" "return to the editor (submitted -> returned)";
    Publish "publish" Catalog "发布（待审核 -> 已发布，版本号加一）" "publish (submitted -> published, version + 1)";
    History "history" Catalog "查看所选记录的修改历史（审计日志）" "show the selected record's history (audit log)";
    TemplateCompare "template_compare" Catalog "对照模板：所选认领记录与其模板并排比较（事项、材料、主题）" "compare with the template: the selected claimed entry beside it (items, materials, bundles)";
    TemplateClaim "template_claim" Catalog "从模板认领：把所选模板复制为新的认领草稿（连同申请表）" "claim the selected template: a new claimed draft (with its forms)";
    FormForItem "form_for_item" Catalog "为所选事项新建申请表（到表单设计）" "new form for the selected item (opens the designer)";
    DetailDown "detail_down" Catalog "详情下翻一行（详情比窗格长时）" "scroll the detail down a line (when it is longer than its panel)";
    DetailUp "detail_up" Catalog "详情上翻一行" "scroll the detail up a line";
    ElementSearch "element_search" Elements "搜索数据元（名称、同义词、编码、拼音首字母；kind: status: agency: 筛选）" "search elements (name, synonym, code, pinyin initials; kind: status: agency: filters)";
    ElementOpen "element_open" Elements "进入所选数据元的引用列表；在引用上：跳转过去" "open the selected element's where-used list; on a use: jump there";
    ElementAdd "element_add" Elements "新增数据元" "add an element";
    ElementEdit "element_edit" Elements "编辑所选数据元" "edit the selected element";
    ElementDups "element_dups" Elements "显示/关闭疑似重复（清洗比对）" "show or hide likely duplicates (清洗比对)";
    ElementMerge "element_merge" Elements "合并：重复视图中合并所选一对（先确认）；否则选择要并入的数据元" "merge: in the duplicates view the selected pair (asks first); else pick the element to merge into";
    ElementSwap "element_swap" Elements "重复视图：交换保留与并入的数据元" "duplicates view: swap which element is kept";
    ElementSubmit "element_submit" Elements "提交审核所选数据元" "submit the selected element for review";
    ElementReturn "element_return" Elements "退回所选数据元" "return the selected element (submitted -> returned)";
    ElementPublish "element_publish" Elements "发布所选数据元（版本号加一）" "publish the selected element (version + 1)";
    ElementHistory "element_history" Elements "查看所选数据元的修改历史" "show the selected element's history (audit log)";
    ElementDetailDown "element_detail_down" Elements "详情下翻一行（详情比窗格长时）" "scroll the detail down a line (when it is longer than its panel)";
    ElementDetailUp "element_detail_up" Elements "详情上翻一行" "scroll the detail up a line";
    PickerChoose "picker_choose" Picker "选定所选结果（事项选择器（表单、主题）：加入所有已标记的事项，无标记时加入所选；牵头部门选择器：设为牵头部门）" "choose the selected result (item pickers of panes 3 and 4: add every marked item, else the selected one; lead-agency picker: make it the lead agency)";
    PickerNext "picker_next" Picker "下一个结果" "next result";
    PickerPrev "picker_prev" Picker "上一个结果" "previous result";
    PickerPageDown "picker_page_down" Picker "结果下翻一页" "results: page down";
    PickerPageUp "picker_page_up" Picker "结果上翻一页" "results: page up";
    PickerMark "picker_mark" Picker "事项选择器：标记/取消标记所选事项（多选）" "item picker: mark or unmark the selected item (multi-select)";
    // pane 4 (主题): bundles, the merge preview and the bundle editor
    BundleOpen "bundle_open" Bundles "打开所选主题；工作区内作用于所选行（切换，或打开字段的处理）；处理对话框中应用所选处理" "open the selected bundle; in the workspace act on the selected row (toggle, or open a field's fixes); in the fix dialog apply the highlighted fix";
    MergeToggle "merge_toggle" Bundles "切换：所选问题的答案依次轮换（含未答）/ 所选事项的表单纳入或排除；从不写入表单" "toggle: cycle the selected question's answer (and unanswered) / include or exclude the selected item's forms; never writes a form";
    MergeFocusNext "merge_focus_next" Bundles "工作区下一栏：问题 -> 事项 -> 右侧视图" "workspace: next column (questions -> items -> right view)";
    MergeFocusPrev "merge_focus_prev" Bundles "工作区上一栏" "workspace: previous column";
    MergeView "merge_view" Bundles "右侧视图：合并表单 -> 来源对照 -> 材料 -> 流程" "right view: merged form -> source diff -> materials -> flow";
    MergeFix "merge_fix" Bundles "处理所选字段：列出冲突的属性及各来源的值，选定标签或必填 / 从候选数据元（最可能的在前，注明理由与分数）中选一个绑定；Enter 应用（一次事务改写表单，改写已发布的表单前先确认）" "fix the selected field: lists what conflicts and each source's value; choose the label or required flag / one of the candidate elements to bind to (likeliest first, with why and a score); enter applies (one transaction; asks first before rewriting published forms)";
    FlowExportDot "flow_export_dot" Bundles "导出流程为 Graphviz DOT（默认存放在库目录旁）" "export the flow as Graphviz DOT (default file beside the store)";
    FlowExportMermaid "flow_export_mermaid" Bundles "导出流程为 Mermaid（默认存放在库目录旁）" "export the flow as Mermaid (default file beside the store)";
    BundleNew "bundle_new" Bundles "新建主题（自建）" "new bundle (self-built)";
    BundleCompare "bundle_compare" Bundles "对照模板：所选主题与其模板并排比较" "compare the bundle with its template, side by side";
    BundleClaim "bundle_claim" Bundles "从模板认领：把所选主题复制为认领的草稿" "claim from a template: copy the selected bundle as a claimed draft";
    BundleRename "bundle_rename" Bundles "修改主题名称" "rename the bundle";
    BundleLead "bundle_lead" Bundles "设置牵头部门：从实施主体中选择（名称、编码、拼音搜索）" "set the lead agency: pick an agency (search by name, code, pinyin)";
    BundleAdd "bundle_add" Bundles "新增：事项（选择器，按名称/编码/拼音模糊查找，可多选）/ 问题（键 文本 | 选项键 文本 …）" "add: items (a picker: fuzzy by name, code or pinyin, several at once) / a question (key text | option-key text …)";
    BundleRemove "bundle_remove" Bundles "移除所选事项（连同条件与材料）或问题（连同引用它的条件）；先确认，列出随之改变的条件与材料" "remove the selected item (with its condition and materials) or question (with conditions naming it); asks first, naming the conditions and materials that change";
    BundleMoveUp "bundle_move_up" Bundles "所选事项或问题上移" "move the selected item or question up";
    BundleMoveDown "bundle_move_down" Bundles "所选事项或问题下移" "move the selected item or question down";
    BundleCondition "bundle_condition" Bundles "所选事项的适用条件（问题=选项）/ 修改所选问题及其选项 / 材料编辑器中所选材料的条件" "the selected item's condition (question=option) / edit the selected question and its options / in the materials editor, the selected row's condition";
    BundleMaterials "bundle_materials" Bundles "所选事项的材料编辑器：通用/特殊材料及其条件（a 新增，w 改条件，d 删除）" "the selected item's materials editor: general/special rows and their conditions (a adds, w edits the condition, d removes)";
    BundleSubmit "bundle_submit" Bundles "提交主题审核（待提交/退回 -> 待审核）" "submit the bundle (draft/returned -> submitted)";
    BundleReturn "bundle_return" Bundles "退回主题（待审核 -> 退回）" "return the bundle (submitted -> returned)";
    BundlePublish "bundle_publish" Bundles "发布主题（待审核 -> 已发布，版本号加一）" "publish the bundle (submitted -> published, version + 1)";
    BundleHistory "bundle_history" Bundles "查看主题的修改历史（审计日志：时间、用户、操作）" "show the bundle's history (audit log: time, user, action)";
    BundleDetailDown "bundle_detail_down" Bundles "主题列表：详情下翻一行（详情比窗格长时）" "bundle list: scroll the detail down a line (when it is longer than its panel)";
    BundleDetailUp "bundle_detail_up" Bundles "主题列表：详情上翻一行" "bundle list: scroll the detail up a line";
    // pane 3 (表单): the form list, the designer and its live preview
    FormOpen "form_open" Forms "打开所选表单进行设计；条件选择中：确定" "open the selected form in the designer; in the condition chooser: apply";
    FormFilter "form_filter" Forms "筛选表单（文字或拼音、item: agency: status:、warn 仅有警告的）" "filter forms (text or pinyin, item: agency: status:, warn = with warnings)";
    FormNew "form_new" Forms "新建表单（自建，草稿）：先选所属事项（esc = 不选）" "new form (self-built draft): choose its item first (esc = none)";
    FormItem "form_item" Forms "设置表单所属事项（事项选择器）" "set the form's item (item picker)";
    FormAddField "form_add_field" Forms "添加字段：在数据元池中搜索（含拼音）" "add a field: search the element pool (pinyin too)";
    FormAddUnbound "form_add_unbound" Forms "添加未绑定的旧字段（只填标签）" "add an unbound legacy field (label only)";
    FormAddSection "form_add_section" Forms "新增分节" "add a section";
    FormMoveUp "form_move_up" Forms "所选字段上移（到顶时移入上一分节）" "move the selected field up (from the top into the section above)";
    FormMoveDown "form_move_down" Forms "所选字段下移（到底时移入下一分节）" "move the selected field down (from the bottom into the section below)";
    FormMoveSection "form_move_section" Forms "所选字段移到下一分节末尾" "move the selected field to the end of the next section";
    FormLabel "form_label" Forms "修改标签（留空 = 数据元名称）/ 分节标题 / 表单名称" "edit the label (empty = element name) / section title / form name";
    FormHelp "form_help" Forms "修改填写说明" "edit the help text";
    FormRequired "form_required" Forms "切换必填；条件选择中：勾选/取消所选选项" "toggle required; in the condition chooser: tick the selected option";
    FormCondition "form_condition" Forms "显示条件：从包含本事项的主题的判断项/选项中勾选" "condition: tick questions/options of the bundles holding the form's item";
    FormBind "form_bind" Forms "绑定数据元（先列出重复查找的建议，本表已绑定的数据元除外）" "bind to an element (the duplicate finder's suggestion first, unless the form binds it already)";
    FormUnbind "form_unbind" Forms "解除绑定（保留标签）" "unbind (keeps the label)";
    FormRemove "form_remove" Forms "删除所选字段或空分节" "remove the selected field or empty section";
    FormUndo "form_undo" Forms "撤销（本次设计）" "undo (this design session)";
    FormRedo "form_redo" Forms "重做" "redo";
    FormSave "form_save" Forms "保存（一次事务，落盘后显示已保存）" "save (one transaction; 已保存 after the flush)";
    FormPreview "form_preview" Forms "进入预览：填写示例值并实时校验（esc 返回）" "into the preview: type sample values, validated live (esc back)";
    FormSubmit "form_submit" Forms "提交表单审核" "submit the form for review";
    FormReturn "form_return" Forms "退回表单" "return the form (submitted -> returned)";
    FormPublish "form_publish" Forms "发布表单（版本号加一）" "publish the form (version + 1)";
    FormHistory "form_history" Forms "查看表单的修改历史（审计日志）" "show the form's history (audit log)";
    FormWarningsDown "form_warnings_down" Forms "设计器：警告框下翻一行（警告比框长时）" "designer: scroll the warnings box down a line (when the warnings are longer than it)";
    FormWarningsUp "form_warnings_up" Forms "设计器：警告框上翻一行" "designer: scroll the warnings box up a line";
    PreviewNext "preview_next" Preview "预览：下一个填写项" "preview: next input";
    PreviewPrev "preview_prev" Preview "预览：上一个填写项" "preview: previous input";
    PreviewOptionNext "preview_option_next" Preview "预览：选择下一个选项（级联时在本级内）" "preview: choose the next option (a cascade: within its level)";
    PreviewOptionPrev "preview_option_prev" Preview "预览：选择上一个选项" "preview: choose the previous option";
    PreviewDescend "preview_descend" Preview "预览：级联进入下一级（选第一个下级选项）" "preview: cascade one level down (its first option)";
    // pane 5 (统计): statistics and the export of every table
    StatsNextSection "stats_next_section" Stats "下一部分：概况 -> 事项层级 -> 类型 -> 状态 -> 区划 -> 部门 -> 数据元类型 -> 复用 -> 主题减免" "next section: overview -> level -> type -> status -> region -> agency -> element kind -> reuse -> bundle reduction";
    StatsPrevSection "stats_prev_section" Stats "上一部分" "previous section";
    StatsRefresh "stats_refresh" Stats "重新计算统计（后台线程）" "recompute the statistics (on a worker thread)";
    StatsExport "stats_export" Stats "导出全部统计表为 XLSX（默认存放在库目录旁）" "export every table as XLSX (default file beside the store)";
    LoadSample "load_sample" Welcome "载入示例数据" "load the sample catalog";
    Save "save" Editor "保存（校验通过后写入并落盘）" "save (written and flushed only when valid)";
    NextField "next_field" Editor "下一个字段" "next field";
    PrevField "prev_field" Editor "上一个字段" "previous field";
    PickElement "pick_element" Editor "从数据元池中选择（上级数据元字段）" "choose from the element pool (the parent element field)";
}

/// One registry entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionDef {
    /// The action.
    pub action: Action,
    /// snake_case name used in keymap files and the palette.
    pub name: &'static str,
    /// Where its keys apply.
    pub scope: Scope,
    /// Chinese doc line.
    pub zh: &'static str,
    /// English doc line.
    pub en: &'static str,
}

impl ActionDef {
    /// The doc line in a language.
    pub fn doc(&self, lang: Lang) -> &'static str {
        lang.pick(self.zh, self.en)
    }
}

impl Action {
    /// The registry entry of this action.
    pub fn def(self) -> &'static ActionDef {
        // every variant has exactly one entry: the macro writes both from one list
        ACTIONS
            .iter()
            .find(|d| d.action == self)
            .unwrap_or(&ACTIONS[0])
    }

    /// The snake_case name.
    pub fn name(self) -> &'static str {
        self.def().name
    }

    /// Looks an action up by name.
    pub fn parse(name: &str) -> Option<Action> {
        ACTIONS.iter().find(|d| d.name == name).map(|d| d.action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for def in ACTIONS {
            assert!(seen.insert(def.name), "duplicate {}", def.name);
            assert!(
                def.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            );
            assert_eq!(Action::parse(def.name), Some(def.action));
            assert_eq!(def.action.def(), def);
            assert!(!def.zh.is_empty() && !def.en.is_empty());
        }
    }
}
