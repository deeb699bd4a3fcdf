package dev.eve4j.channel;

import static dev.eve4j.channel.J.o;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class PayloadValidatorTest {

  private static List<String> push(String json) {
    return PayloadValidator.push(o(json)).lines();
  }

  private static void valid(String json) {
    Validation v = PayloadValidator.auto(o(json));
    assertTrue(v.valid(), () -> "expected valid, got " + v.lines());
  }

  private static void invalid(String json, String... expected) {
    assertEquals(List.of(expected), PayloadValidator.auto(o(json)).lines());
  }

  @Test
  void plainPushesAndTheOneOfRule() {
    valid("{'vessel':'booking-123','message':'New booking received.'}");
    valid("{'vessel':'b','agentActivity':{'type':'thinking'}}");
    valid("{'vessel':'b','tokenStream':'abc'}");
    valid("{'vessel':'b','title':'A few details','interaction':{'type':'text_input','prompt':'Why?'}}");
    invalid("{'vessel':'b1','interaction':{'type':'approval','prompt':'x'}}",
        "message: Required: a push needs one of message, title, agentActivity or tokenStream");
    invalid("{'message':'hi'}", "vessel: Required");
    invalid("{'vessel':'','message':''}", "vessel: Must not be empty", "message: Must not be empty");
    invalid("{'vessel':7,'message':['x']}", "vessel: Expected string, received number",
        "message: Expected string, received array");
    assertEquals(List.of("Expected object, received array"), PayloadValidator.push(J.e("[1]")).lines());
    assertEquals(List.of("vessel: String must contain at most 255 character(s)"),
        push("{'vessel':'" + "x".repeat(256) + "','message':'m'}"));
  }

  @Test
  void theFullReferencePayloadIsValid() {
    valid("{'message':'string','agentActivity':{'type':'tool_use','label':'string','todos':[{'label':'a',"
        + "'status':'in_progress'},{'label':'b'}],'status':'awaiting_input'},'tokenStream':'t','vessel':'v',"
        + "'vesselTitle':'T','labels':['x','y'],'metadata':{'key':'value'},'card':{'title':'c','fields':[{'label':'l',"
        + "'value':'v','url':'https://x.example/a','tone':'warning'}]},'interaction':{'type':'choice','prompt':'p',"
        + "'options':[{'id':'a','label':'A'}]},'details':{'fields':[{'label':'Phone','value':'+61','copyable':true,"
        + "'url':'https://crm.example/1','tone':'success'}]},'previewUrl':'https://your-app.com/preview/88',"
        + "'attachments':[{'type':'image','url':'https://b.example/r.jpg'},{'type':'file',"
        + "'url':'https://b.example/q.pdf',"
        + "'filename':'Q1 Report.pdf'}],'suggestions':['a','b'],'kind':'surface','title':'string',"
        + "'vesselStatus':'resolved'}");
  }

  @Test
  void fieldShapes() {
    invalid("{'vessel':'v','message':'m','kind':'card','previewUrl':'ftp://x','vesselStatus':'waiting',"
        + "'details':{'fields':[{'label':'a'}]},'card':{'fields':[{'label':'a','value':'b','tone':'blue'}]},"
        + "'attachments':[{'type':'video','url':'notaurl'}],'agentActivity':{'type':'dreaming','todos':[{}]}}",
        "details.fields[0].value: Required",
        "vesselStatus: 'waiting' is derived from a live interaction and cannot be set; use 'active' or 'resolved'",
        "kind: Invalid enum value. Expected 'bubble' | 'surface', received 'card'",
        "card.fields[0].tone: Invalid enum value. Expected 'success' | 'warning' | 'danger', received 'blue'",
        "previewUrl: Invalid url (an absolute http or https URL is required)",
        "attachments[0].type: Invalid enum value. Expected 'image' | 'file', received 'video'",
        "attachments[0].url: Invalid url (an absolute http or https URL is required)",
        "agentActivity.type: Invalid enum value. Expected 'thinking' | 'searching' | 'tool_use' | 'browsing' | "
            + "'processing', received 'dreaming'",
        "agentActivity.todos[0].label: Required");
    valid("{'vessel':'v','message':'m','details':null}");
  }

  @Test
  void limits() {
    JsonArray labels = new JsonArray();
    for (int i = 0; i < 10; i++) {
      labels.add("l" + i);
    }
    JsonObject p = o("{'vessel':'v','message':'m'}");
    p.add("labels", labels);
    assertTrue(PayloadValidator.push(p).valid());
    labels.add("one-too-many");
    assertEquals(List.of("labels: Array must contain at most 10 element(s)"), PayloadValidator.push(p).lines());
    invalid("{'vessel':'v','message':'m','labels':['" + "x".repeat(50) + "','" + "y".repeat(51) + "']}",
        "labels[1]: String must contain at most 50 character(s)");
    valid("{'vessel':'v','message':'m','suggestions':['1','2','3','4','5']}");
    invalid("{'vessel':'v','message':'m','suggestions':['1','2','3','4','5','6']}",
        "suggestions: Array must contain at most 5 element(s)");
    StringBuilder atts = new StringBuilder();
    for (int i = 0; i < 11; i++) {
      atts.append(i == 0 ? "" : ",").append("{'type':'image','url':'https://x.example/").append(i).append("'}");
    }
    invalid("{'vessel':'v','message':'m','attachments':[" + atts + "]}",
        "attachments: Array must contain at most 10 element(s)");
    StringBuilder vessels = new StringBuilder();
    for (int i = 0; i < 101; i++) {
      vessels.append(i == 0 ? "" : ",").append("'v").append(i).append("'");
    }
    invalid("{'vessels':[" + vessels + "],'message':'m'}", "vessels: Array must contain at most 100 element(s)");
    valid("{'vessels':[" + vessels.substring(0, vessels.lastIndexOf(",")) + "],'message':'m'}");
    invalid("{'vessels':[],'message':'m'}", "vessels: Array must contain at least 1 element(s)");
    invalid("{'vessels':['a','a'],'vessel':'b','message':'m'}", "vessels[1]: Duplicate vessel 'a'",
        "vessel: Not allowed with vessels: a broadcast names its vessels in vessels");
  }

  @Test
  void autoDetectsPushMany() {
    assertEquals("push/many", PayloadValidator.auto(o("{'vessels':['a'],'message':'m'}")).kind());
    assertEquals("push", PayloadValidator.auto(o("{'vessel':'a','message':'m'}")).kind());
    assertEquals(List.of("vessels: Not allowed on a single push: send a broadcast to push/many"),
        PayloadValidator.push(o("{'vessel':'a','vessels':['b'],'message':'m'}")).lines());
  }

  @Test
  void approval() {
    valid("{'vessel':'b','message':'m','interaction':{'type':'approval','prompt':'Confirm?','approveLabel':'Confirm',"
        + "'rejectLabel':'Decline','reasonRequired':true,'rejectable':true,'metadata':{'out_tray_id':'123'}}}");
    invalid("{'vessel':'b','message':'m','interaction':{'type':'approval','approveLabel':3,'reasonRequired':'yes',"
        + "'metadata':[]}}",
        "interaction.prompt: Required", "interaction.metadata: Expected object, received array",
        "interaction.approveLabel: Expected string, received number",
        "interaction.reasonRequired: Expected boolean, received string");
  }

  @Test
  void discriminator() {
    invalid("{'vessel':'b','message':'m','interaction':{'type':'confirm','prompt':'p'}}",
        "interaction.type: Invalid discriminator value. Expected 'approval' | 'choice' | 'checklist' | 'text_input' |"
            + " 'questions', received 'confirm'");
    invalid("{'vessel':'b','message':'m','interaction':{'prompt':'p'}}",
        "interaction.type: Invalid discriminator value. Expected 'approval' | 'choice' | 'checklist' | 'text_input' |"
            + " 'questions'");
  }

  @Test
  void editablesBoundToCardFieldsAndTokens() {
    String card = "'card':{'fields':[{'label':'Total','value':'$1,500','editableId':'total'},{'label':'Deposit',"
        + "'value':'50%','editableId':'deposit'},{'label':'Date','value':'2026-06-20','editableId':'date'}]}";
    String editables = "'editables':[{'id':'total','type':'currency','value':1500},{'id':'deposit','type':'choice',"
        + "'value':'50','options':[{'id':'50','label':'50%'},{'id':'25','label':'25%'},{'id':'0','label':'None'}]},"
        + "{'id':'date','type':'date','value':'2026-06-20'}]";
    valid("{'vessel':'quote-88','title':'Quote','message':'Full-day hire.'," + card + ",'interaction':{'type':"
        + "'approval','prompt':'Send this quote?','approveLabel':'Send quote'," + editables + "}}");
    assertTrue(PayloadValidator.surface(o("{'vessel':'quote-88','title':'Quote','body':'| Full-day hire | {{base}} |"
        + "\\n\\nTotal **{{ total }}**, valid until {{date}}.','interaction':{'type':'approval','prompt':'Send?',"
        + "'editables':[{'id':'base','type':'currency','value':1200},{'id':'total','type':'currency','value':1500},"
        + "{'id':'date','type':'date','value':'2026-06-20'}]}}")).valid());
    invalid("{'vessel':'q','message':'Total {{total}}','card':{'fields':[{'label':'x','value':'y','editableId':"
        + "'ghost'}]},'interaction':{'type':'approval','prompt':'p','editables':[{'id':'total','type':'number',"
        + "'value':'1500'},{'id':'unbound','type':'text','value':'a'},{'id':'when','type':'date','value':'2026-13-01'},"
        + "{'id':'pick','type':'choice','value':'9','options':[{'id':'1','label':'One'}]},{'id':'total','type':'text',"
        + "'value':'b'},{'id':'n','type':'number','value':1,'options':[]},{'id':'bad id','type':'colour','value':1}]}}",
        "interaction.editables[0].value: Expected number, received string",
        "interaction.editables[2].value: Invalid date: expected YYYY-MM-DD",
        "interaction.editables[3].value: Invalid option '9'. Expected '1'",
        "interaction.editables[4].id: Duplicate editable id 'total'",
        "interaction.editables[5].options: Only a choice editable takes options",
        "interaction.editables[6].id: Invalid id: letters, digits, '_', '-' and '.' only (it is used as a "
            + "{{id}} token)",
        "interaction.editables[6].type: Invalid enum value. Expected 'text' | 'number' | 'currency' | 'date' | "
            + "'choice', received 'colour'",
        "interaction.editables: Editable 'unbound' is not bound: reference it from a card field's editableId or a "
            + "{{unbound}} token in the body",
        "interaction.editables: Editable 'when' is not bound: reference it from a card field's editableId or a "
            + "{{when}} token in the body",
        "interaction.editables: Editable 'pick' is not bound: reference it from a card field's editableId or a "
            + "{{pick}} token in the body",
        "interaction.editables: Editable 'n' is not bound: reference it from a card field's editableId or a "
            + "{{n}} token in the body",
        "card.fields[0].editableId: No editable 'ghost' is declared on an approval interaction");
  }

  @Test
  void choiceAndChecklist() {
    valid("{'vessel':'b','message':'m','interaction':{'type':'choice','prompt':'Choose a time slot','options':[{'id':"
        + "'sat-10am','label':'10am Saturday'},{'id':'sat-2pm','label':'2pm Saturday'}],'allowCustom':true}}");
    valid("{'vessel':'b','message':'m','interaction':{'type':'checklist','prompt':'Select line items','options':["
        + "{'id':'session','label':'Session fee $120','checked':true},{'id':'travel','label':'Travel $30'}]}}");
    invalid("{'vessel':'b','message':'m','interaction':{'type':'choice','prompt':'p','options':['10am','2pm'],"
        + "'allowCustom':'yes'}}",
        "interaction.options[0]: Expected object, received string",
        "interaction.options[1]: Expected object, received string",
        "interaction.allowCustom: Expected boolean, received string");
    invalid("{'vessel':'b','message':'m','interaction':{'type':'checklist','prompt':'p','options':[{'id':'a'},"
        + "{'id':'a','label':'A','checked':1}]}}",
        "interaction.options[0].label: Required", "interaction.options[1].id: Duplicate option id 'a'",
        "interaction.options[1].checked: Expected boolean, received number");
    invalid("{'vessel':'b','message':'m','interaction':{'type':'choice','prompt':'p','options':[]}}",
        "interaction.options: Array must contain at least 1 element(s)");
    invalid("{'vessel':'b','message':'m','interaction':{'type':'checklist','prompt':'p'}}",
        "interaction.options: Required");
  }

  @Test
  void textInput() {
    valid("{'vessel':'lead-88','message':'Prospect asked about pricing.','interaction':{'type':'text_input',"
        + "'prompt':'How should I respond?','placeholder':'Type your reply...','multiline':true}}");
    invalid("{'vessel':'b','message':'m','interaction':{'type':'text_input','prompt':'','placeholder':1,"
        + "'multiline':'no'}}",
        "interaction.prompt: Must not be empty", "interaction.placeholder: Expected string, received number",
        "interaction.multiline: Expected boolean, received string");
  }

  @Test
  void questionsAndTheirLimits() {
    String q = "{'id':'%s','question':'Which?','header':'H','options':[{'id':'a','label':'A','description':'d'},"
        + "{'id':'b','label':'B'}]}";
    valid("{'vessel':'booking-123','title':'A few details to finalise the booking','interaction':{'type':'questions',"
        + "'prompt':'A few details','questions':[{'id':'date','question':'Which date works?','header':'Date','options':"
        + "[{'id':'sat','label':'Saturday 12th'},{'id':'sun','label':'Sunday 13th'}]},{'id':'extras','question':"
        + "'Any add-ons?','header':'Add-ons','multiSelect':true,'allowOther':true,'options':[{'id':'cake','label':"
        + "'Cake','description':'Serves 20'},{'id':'av','label':'AV kit'}]}],'submitLabel':'Submit'}}");
    String four = String.format(q, "q1") + "," + String.format(q, "q2") + "," + String.format(q, "q3") + ","
        + String.format(q, "q4");
    valid("{'vessel':'b','message':'m','interaction':{'type':'questions','prompt':'p','questions':[" + four + "]}}");
    invalid("{'vessel':'b','message':'m','interaction':{'type':'questions','prompt':'p','questions':[" + four + ","
        + String.format(q, "q5") + "]}}", "interaction.questions: Array must contain at most 4 element(s)");
    invalid("{'vessel':'b','message':'m','interaction':{'type':'questions','prompt':'p','questions':[]}}",
        "interaction.questions: Array must contain at least 1 element(s)");
    invalid("{'vessel':'b','message':'m','interaction':{'type':'questions','prompt':'p','questions':[{'id':'x',"
        + "'question':'Q','options':[{'id':'a','label':'A'}]},{'id':'x','question':'Q2','options':[{'id':'a',"
        + "'label':'A'},{'id':'b','label':'B'},{'id':'c','label':'C'},{'id':'d','label':'D'},{'id':'e','label':'E'}]},"
        + "{'question':'','multiSelect':'y','options':[{'id':'a','label':'A'},{'id':'a','label':'A'}]}]}}",
        "interaction.questions[0].options: Array must contain at least 2 element(s)",
        "interaction.questions[1].id: Duplicate question id 'x'",
        "interaction.questions[1].options: Array must contain at most 4 element(s)",
        "interaction.questions[2].id: Required", "interaction.questions[2].question: Must not be empty",
        "interaction.questions[2].multiSelect: Expected boolean, received string",
        "interaction.questions[2].options[1].id: Duplicate option id 'a'");
  }

  @Test
  void surfacesAndEvents() {
    assertTrue(PayloadValidator.surface(o("{'vessel':'inv-42','title':'GreenTurf Invoice','card':{'fields':[{'label':"
        + "'Amount Due','value':'$7,400'}]},'body':'| Item | Amount |','interaction':{'type':'approval','prompt':"
        + "'Approve?','approveLabel':'Approve & Pay'}}")).valid());
    assertEquals(List.of("message: Not allowed on a surface: its content is body", "title: Required",
        "kind: A surface is always kind 'surface'"),
        PayloadValidator.surface(o("{'vessel':'v','message':'m','kind':'bubble'}")).lines());
    assertTrue(PayloadValidator.event(o("{'vessel':'monitoring','title':'Stock Alert','tone':'alert','card':{'fields':"
        + "[{'label':'Drop','value':'-10.4%','tone':'danger'}]},'body':'Stop-loss crossed.','sections':[{'heading':"
        + "'Recent trades','body':'| Time |','collapsed':true}],'buttons':[{'label':'Open','url':"
        + "'https://app.example.com/acme','tone':'primary'},{'label':'Mute','url':'https://app.example.com/m'}]}"))
        .valid());
    assertEquals(List.of("title: Required", "tone: Invalid enum value. Expected 'info' | 'alert' | 'success', "
        + "received 'warning'", "sections[0].heading: Required", "buttons[0].url: Required",
        "interaction: An event carries no interaction: push one to ask for a decision"),
        PayloadValidator.event(o("{'vessel':'m','tone':'warning','sections':[{'body':'b'}],'buttons':[{'label':'x'}],"
            + "'interaction':{'type':'approval','prompt':'p'}}")).lines());
  }

  @Test
  void detailsGroupErrorsByPath() {
    Validation v = PayloadValidator.push(o("{'interaction':{'type':'x'}}"));
    JsonObject d = v.details();
    assertEquals(0, d.getAsJsonArray("formErrors").size());
    assertTrue(d.getAsJsonObject("fieldErrors").has("vessel"));
    assertTrue(d.getAsJsonObject("fieldErrors").has("interaction.type"));
    assertFalse(v.valid());
    assertEquals(List.of("Expected object, received null"),
        PayloadValidator.push(com.google.gson.JsonNull.INSTANCE).lines());
  }
}
